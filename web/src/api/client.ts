import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

/** The cookie the CRM sets at sign-in, readable by scripts, echoed back as `X-CSRF-Token`. */
const CSRF_COOKIE = "reach_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The CSRF token of the signed-in session (from its cookie), or "" when signed out. */
export function csrfToken(): string {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** Headers an unsafe request (POST/PATCH/PUT/DELETE) must carry with the session cookie. */
export function csrfHeaders(method: string): Record<string, string> {
  const token = SAFE_METHODS.has(method.toUpperCase()) ? "" : csrfToken();
  return token ? { [CSRF_HEADER]: token } : {};
}

/** 401s from these are answered by the page that made them (a wrong password is not "signed out"). */
const NO_REDIRECT_ON_401 = new Set(["/api/auth/login", "/api/auth/me"]);

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler = () => undefined;

/** Set once by the app: what to do when the CRM says the operator is not (or no longer) signed in. */
export function onUnauthorized(handler: UnauthorizedHandler): void {
  unauthorizedHandler = handler;
}

/** Every request goes through here: 401 handling for fetch, the XHR upload and the chat stream. */
export function reportStatus(url: string, status: number): void {
  if (status !== 401) return;
  const path = new URL(url, window.location.origin).pathname;
  if (!NO_REDIRECT_ON_401.has(path)) unauthorizedHandler();
}

const auth: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(csrfHeaders(request.method))) request.headers.set(name, value);
    return request;
  },
  onResponse({ request, response }) {
    reportStatus(request.url, response.status);
    return response;
  },
};

/**
 * The one typed client for the CRM; relative URLs, so the app and the API share an origin and the
 * session cookie goes along (`credentials: "same-origin"`).
 */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(auth);

export type ApiPath = keyof paths;
type Schemas = components["schemas"];
export type Customer = Schemas["CustomerRead"];
export type CustomerProfile = Schemas["CustomerProfile"];
export type Consent = Schemas["ConsentRead"];
export type Order = Schemas["OrderRead"];
export type CustomerMessage = Schemas["CommunicationSummary"];
export type CsvIngestReport = Schemas["CsvIngestReport"];
export type CsvKind = CsvIngestReport["kind"];
export type Segment = Schemas["SegmentRead"];
export type SegmentFilter = Schemas["SegmentFilter-Input"];
export type SavedFilter = Schemas["SegmentFilter-Output"];
export type FilterCondition = Schemas["Condition"];
export type FilterGroup = Schemas["FilterGroup-Input"];
export type Operator = FilterCondition["op"];
export type MatchMode = SegmentFilter["match"];
export type AudiencePreview = Schemas["AudiencePreview"];
export type SegmentField = Schemas["FieldRead"];
export type SegmentFields = Schemas["FieldsRead"];
export type Health = Schemas["Health"];
export type Channel = Schemas["CampaignCreate"]["channel"];
export type Campaign = Schemas["CampaignRead"];
export type CampaignUpdate = Schemas["CampaignUpdate"];
export type CampaignCreate = Schemas["CampaignCreate"];
export type ChannelOptionsRequest = Schemas["ChannelOptionsRequest"];
export type ChannelOptions = Schemas["ChannelOptions"];
export type TestSendResult = Schemas["TestSendResult"];
export type CampaignPreview = Schemas["CampaignPreview"];
export type CampaignStats = Schemas["CampaignStats"];
export type Funnel = Schemas["Funnel"];
export type Sequence = Schemas["SequenceRead"];
/** A step as the API returns it (named by the path, since the schema name is not unique). */
export type SequenceStep = Sequence["steps"][number];
export type StepCondition = NonNullable<SequenceStep["condition"]>;
export type DelayUnit = NonNullable<SequenceStep["delay"]>["unit"];
export type SequenceStats = Schemas["SequenceStats"];
export type StepStats = Schemas["StepStats"];
export type SequenceVersion = Schemas["VersionRead"];
export type ChatResponse = Schemas["ChatResponse"];
export type ConversationSummary = Schemas["ConversationSummary"];
export type ConversationDetail = Schemas["ConversationDetail"];
export type ConversationTurn = Schemas["ConversationEntry"];
/** What a copilot tool returned, told apart by `kind`. */
export type ToolResult = Schemas["ToolStep"]["result"];
export type OperatorAccount = Schemas["OperatorRead"];
export type ApiToken = Schemas["TokenRead"];
export type ApiTokenCreated = Schemas["TokenCreated"];
export type AuditEntry = Schemas["AuditRead"];

/** An error response from the CRM, with its `detail` turned into one readable sentence. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(describeDetail(status, detail));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

function describeDetail(status: number, detail: unknown): string {
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const first: unknown = detail[0];
    if (first && typeof first === "object" && "msg" in first && typeof first.msg === "string") {
      // Pydantic prefixes custom validator messages; the rest names the node path and the reason.
      return first.msg.replace(/^Value error, /, "");
    }
  }
  return `The server answered ${status}`;
}

export function detailOf(body: unknown): unknown {
  return body && typeof body === "object" && "detail" in body ? body.detail : undefined;
}

interface ClientResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves to the response body, or throws an ApiError carrying the API's `detail`. */
export async function unwrap<T>(request: Promise<ClientResult<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw new ApiError(response.status, detailOf(error));
  return data as T;
}
