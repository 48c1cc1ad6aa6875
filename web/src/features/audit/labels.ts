const ACTIONS: Record<string, string> = {
  created: "drafted",
  edited: "edited",
  rolled_back: "rolled back",
  approved_and_launched: "approved & launched",
  scheduled: "scheduled the launch",
  cancelled_schedule: "cancelled the scheduled launch",
  schedule_refused: "refused the scheduled launch",
  test_sent: "sent a test",
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action.replace(/_/g, " ");
}

export function actorLabel(actor: string): string {
  return actor === "agent" ? "Copilot (agent)" : actor;
}
