import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { ErrorState, Loading } from "../components/States";
import { NewCampaignForm } from "../features/campaigns/NewCampaignForm";
import { useSegmentFields } from "../features/segments/queries";

export default function NewCampaignPage() {
  const fields = useSegmentFields();
  return (
    <>
      <Link to="/campaigns" className="back-link">
        ← Campaigns
      </Link>
      <PageHeader
        title="New campaign"
        subtitle="Saved as a draft: nothing is sent until you approve and launch it."
      />
      {fields.isPending ? (
        <Loading label="Loading fields…" />
      ) : fields.isError ? (
        <ErrorState error={fields.error} title="Could not load the field list" />
      ) : (
        <NewCampaignForm catalog={fields.data} />
      )}
    </>
  );
}
