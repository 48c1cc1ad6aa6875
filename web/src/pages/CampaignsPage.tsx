import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { CampaignTable } from "../features/campaigns/CampaignTable";
import { useCampaignListStats, useCampaigns } from "../features/campaigns/queries";

export default function CampaignsPage() {
  const campaigns = useCampaigns();
  const stats = useCampaignListStats(campaigns.data ?? []);
  return (
    <>
      <PageHeader
        title="Campaigns"
        subtitle="Drafts wait for your approval; nothing is sent until someone presses Approve & Launch."
        actions={
          <>
            <Link to="/campaigns/new" className="button button--primary">
              New campaign
            </Link>
            <Link to="/" className="button">
              ✦ Plan one with the copilot
            </Link>
          </>
        }
      />
      <section className="card">
        {campaigns.isPending ? (
          <Loading label="Loading campaigns…" />
        ) : campaigns.isError ? (
          <ErrorState error={campaigns.error} title="Could not load campaigns" />
        ) : campaigns.data.length === 0 ? (
          <EmptyState title="No campaigns yet">
            <p>
              <Link to="/campaigns/new">Create one</Link>, or describe a goal to <Link to="/">the copilot</Link> and it
              will stage a draft here for you to approve.
            </p>
          </EmptyState>
        ) : (
          <CampaignTable campaigns={campaigns.data} stats={stats} />
        )}
      </section>
    </>
  );
}
