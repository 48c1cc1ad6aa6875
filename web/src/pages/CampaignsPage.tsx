import { Link } from "react-router-dom";
import { ComingSoon } from "../components/ComingSoon";

export default function CampaignsPage() {
  return (
    <ComingSoon title="Campaigns">
      <p>
        Drafts, launches and live delivery funnels will be listed here once the campaigns screens are built.
      </p>
      <p>
        Audiences for them are <Link to="/segments">segments</Link>.
      </p>
    </ComingSoon>
  );
}
