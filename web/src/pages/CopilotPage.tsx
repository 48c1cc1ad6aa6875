import { type SubmitEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";
import { useLocation, useSearchParams } from "react-router-dom";
import { ErrorState, Loading } from "../components/States";
import { ConversationList } from "../features/agent/ConversationList";
import { ReplyText } from "../features/agent/ReplyText";
import { ProviderNotice } from "../features/agent/ProviderNotice";
import { useConversation } from "../features/agent/queries";
import { ToolCard } from "../features/agent/ToolCards";
import type { ThreadItem } from "../features/agent/types";
import { turnsToItems, useCopilotChat } from "../features/agent/useCopilotChat";

export const SUGGESTED_GOALS = [
  "Win back customers who bought lipstick but haven't ordered in 60 days",
  "Thank our VIPs in Mumbai on WhatsApp",
  "3-step win-back for lapsed lipstick buyers: WhatsApp now, an email 2 days later if they haven't read it, an SMS with a discount on day 5 if they still haven't bought",
];

export default function CopilotPage() {
  const [params, setParams] = useSearchParams();
  const conversationId = params.get("c");
  const stored = useConversation(conversationId);
  // The path this page was opened at, kept from the first render: a turn can finish after the user
  // has clicked away (a lazy page keeps this one mounted, seeing the new location, while it loads),
  // and only while the browser is still here may the conversation id be written into the URL.
  const { pathname } = useLocation();
  const [home] = useState(pathname);
  const onConversation = useCallback(
    (id: string) => {
      if (window.location.pathname === home) setParams({ c: id }, { replace: true });
    },
    [home, setParams],
  );
  const chat = useCopilotChat(conversationId, onConversation);
  const [draft, setDraft] = useState("");
  const bottom = useRef<HTMLDivElement>(null);

  const items: ThreadItem[] = [...(stored.data ? turnsToItems(stored.data.turns) : []), ...chat.live];

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [items.length, chat.streaming]);

  const submit = (text: string) => {
    if (!text.trim() || chat.streaming) return;
    setDraft("");
    void chat.send(text);
  };
  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit(draft);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit(draft);
    }
  };

  return (
    <div className="copilot">
      <ConversationList
        activeId={conversationId}
        disabled={chat.streaming}
        onSelect={(id) => {
          chat.reset();
          setParams({ c: id });
        }}
        onNew={() => {
          chat.reset();
          setParams({});
        }}
      />
      <section className="copilot__chat card">
        <header className="copilot__header">
          <div>
            <h1>Copilot</h1>
            <p className="muted">
              Describe a goal. The copilot sizes the audience, picks a channel, drafts the message and stages a draft —
              you approve it.
            </p>
          </div>
          <ProviderNotice />
        </header>

        <div className="thread" data-testid="thread" aria-live="polite">
          {conversationId && stored.isPending ? <Loading label="Loading conversation…" /> : null}
          {conversationId && stored.isError ? (
            <ErrorState error={stored.error} title="Could not load this conversation" />
          ) : null}
          {items.length === 0 && !conversationId ? (
            <div className="thread__intro">
              <strong>What would you like to do?</strong>
              <span className="muted">Try one of these, or write your own.</span>
            </div>
          ) : null}
          {items.map((item) => (
            <ThreadEntry key={item.key} item={item} settled={!chat.streaming} />
          ))}
          {chat.streaming ? (
            <div className="thread__typing" role="status">
              <span className="spinner" aria-hidden="true" /> Working…
            </div>
          ) : null}
          <div ref={bottom} />
        </div>

        <div className="chips goal-chips" role="group" aria-label="Suggested goals">
          {SUGGESTED_GOALS.map((goal) => (
            <button
              key={goal}
              type="button"
              className="goal-chip"
              disabled={chat.streaming}
              onClick={() => submit(goal)}
              title={goal}
            >
              {goal}
            </button>
          ))}
        </div>

        <form className="composer" onSubmit={onSubmit}>
          <textarea
            className="input composer__input"
            aria-label="Message the copilot"
            placeholder="e.g. Win back lapsed kajal buyers in Pune with a 10% discount"
            value={draft}
            rows={2}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="submit" className="button button--primary" disabled={chat.streaming || !draft.trim()}>
            {chat.streaming ? "Working…" : "Send"}
          </button>
        </form>
        {chat.last && chat.last.stopped !== "answered" ? (
          <p className="muted">The copilot stopped early ({chat.last.stopped.replace(/_/g, " ")}).</p>
        ) : null}
      </section>
    </div>
  );
}

// The copilot commits each step as it happens: a staged draft exists as soon as its tool result
// streams, so its Approve & Launch / Edit buttons work before the turn ends.
function ThreadEntry({ item, settled }: { item: ThreadItem; settled: boolean }) {
  switch (item.kind) {
    case "user":
      return (
        <div className="bubble bubble--user" data-testid="user-message">
          {item.text}
        </div>
      );
    case "assistant":
      return (
        <div className="bubble bubble--assistant" data-testid="assistant-message">
          <ReplyText text={item.text} />
        </div>
      );
    case "error":
      return (
        <div className="state state--error" role="alert">
          <strong>The copilot hit a problem</strong>
          <span>{item.text}</span>
        </div>
      );
    case "tool":
      return (
        <ToolCard
            tool={item.tool}
            args={item.arguments}
            result={item.result}
            pending={item.pending}
            settled={settled}
          />
      );
  }
}
