import { lazy, Suspense } from "react";
import { createBrowserRouter, Navigate } from "react-router-dom";
import { AppLayout } from "./components/AppLayout";
import { Loading } from "./components/States";
import { RequireAuth } from "./features/auth/RequireAuth";

const LoginPage = lazy(() => import("./pages/LoginPage"));
const AccountPage = lazy(() => import("./pages/AccountPage"));
const AuditPage = lazy(() => import("./pages/AuditPage"));
const CopilotPage = lazy(() => import("./pages/CopilotPage"));
const CampaignsPage = lazy(() => import("./pages/CampaignsPage"));
const CampaignDetailPage = lazy(() => import("./pages/CampaignDetailPage"));
const NewCampaignPage = lazy(() => import("./pages/NewCampaignPage"));
const SequencesPage = lazy(() => import("./pages/SequencesPage"));
const SequenceDetailPage = lazy(() => import("./pages/SequenceDetailPage"));
const CustomersPage = lazy(() => import("./pages/CustomersPage"));
const CustomerProfilePage = lazy(() => import("./pages/CustomerProfilePage"));
const SegmentsPage = lazy(() => import("./pages/SegmentsPage"));
const SegmentBuilderPage = lazy(() => import("./pages/SegmentBuilderPage"));
const SegmentDetailPage = lazy(() => import("./pages/SegmentDetailPage"));
const DeliveryPage = lazy(() => import("./pages/DeliveryPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

export const router = createBrowserRouter([
  {
    path: "login",
    element: (
      <Suspense fallback={<Loading />}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <CopilotPage /> },
      { path: "copilot", element: <Navigate to="/" replace /> },
      { path: "campaigns", element: <CampaignsPage /> },
      { path: "campaigns/new", element: <NewCampaignPage /> },
      { path: "campaigns/:campaignId", element: <CampaignDetailPage /> },
      { path: "sequences", element: <SequencesPage /> },
      { path: "sequences/:sequenceId", element: <SequenceDetailPage /> },
      { path: "customers", element: <CustomersPage /> },
      { path: "customers/:customerId", element: <CustomerProfilePage /> },
      { path: "segments", element: <SegmentsPage /> },
      { path: "segments/new", element: <SegmentBuilderPage /> },
      { path: "segments/:segmentId", element: <SegmentDetailPage /> },
      { path: "delivery", element: <DeliveryPage /> },
      { path: "audit", element: <AuditPage /> },
      { path: "account", element: <AccountPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
