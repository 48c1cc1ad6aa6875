import { Link } from "react-router-dom";
import { ComingSoon } from "../components/ComingSoon";

export default function CopilotPage() {
  return (
    <ComingSoon title="Copilot">
      <p>
        Describe a goal in plain English and the copilot will size the audience, draft the message and stage a
        campaign for you to approve. It arrives with the agent API.
      </p>
      <p>
        Meanwhile, build an audience by hand in <Link to="/segments/new">the segment builder</Link>.
      </p>
    </ComingSoon>
  );
}
