import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/format";
import { useConversations } from "./queries";

export function ConversationList({
  activeId,
  disabled,
  onSelect,
  onNew,
}: {
  activeId: string | null;
  disabled: boolean;
  onSelect: (id: string) => void;
  onNew: () => void;
}) {
  const conversations = useConversations();
  return (
    <aside className="copilot__history" aria-label="Conversations">
      <button type="button" className="button button--primary" onClick={onNew} disabled={disabled}>
        + New chat
      </button>
      <span className="subhead">Conversations</span>
      {conversations.isPending ? (
        <Loading label="Loading…" />
      ) : conversations.isError ? (
        <ErrorState error={conversations.error} title="Could not load conversations" />
      ) : conversations.data.length === 0 ? (
        <p className="muted">Your conversations will be listed here.</p>
      ) : (
        <ul className="conversations">
          {conversations.data.map((conversation) => (
            <li key={conversation.id}>
              <button
                type="button"
                className={conversation.id === activeId ? "conversation conversation--active" : "conversation"}
                disabled={disabled}
                onClick={() => onSelect(conversation.id)}
                aria-current={conversation.id === activeId ? "true" : undefined}
              >
                <span className="conversation__title">{conversation.title || "Untitled"}</span>
                <span className="conversation__meta">{formatDateTime(conversation.updated_at)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
