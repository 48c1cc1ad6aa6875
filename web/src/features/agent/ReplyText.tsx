/** The copilot's reply: plain text with `**bold**` spans (the only markup it uses); newlines kept by CSS. */
export function ReplyText({ text }: { text: string }) {
  const parts = text.split("**");
  return (
    <>
      {parts.map((part, index) =>
        // An odd index sits between a pair of `**`; a trailing unmatched `**` stays plain text.
        index % 2 === 1 && index < parts.length - 1 ? (
          <strong key={index}>{part}</strong>
        ) : (
          <span key={index}>{index % 2 === 1 ? `**${part}` : part}</span>
        ),
      )}
    </>
  );
}
