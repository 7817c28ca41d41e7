export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  requestJson?: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseJson?: unknown;
}
