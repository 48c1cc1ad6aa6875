import { PageHeader } from "../components/PageHeader";
import { ChannelServicePanel } from "../features/delivery/ChannelServicePanel";
import { CrmHealthCard } from "../features/health/CrmHealthCard";

export default function DeliveryPage() {
  return (
    <>
      <PageHeader
        title="Delivery"
        subtitle="The simulated channel service: its queue, receipts, retries and dead letters, live."
      />
      <CrmHealthCard />
      <ChannelServicePanel />
    </>
  );
}
