const ACTIONS: Record<string, string> = {
  created: "drafted",
  edited: "edited",
  rolled_back: "rolled back",
  approved_and_launched: "approved & launched",
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action.replace(/_/g, " ");
}

export function actorLabel(actor: string): string {
  return actor === "agent" ? "Copilot (agent)" : actor;
}
