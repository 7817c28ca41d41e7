/** Who is using the status page. */
export interface AdminUser {
  readonly email: string;
}

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Proves who sent a status-page request. On App Engine: the Identity-Aware Proxy's signed
 * header, verified on every request. Locally (the sandbox): nobody is checked, `iap` is
 * false and the page says so in a red banner.
 */
export interface AdminIdentity {
  readonly iap: boolean;
  /** The user the request proves, or null (the page answers 401 and shows nothing). */
  identify(headers: RequestHeaders): Promise<AdminUser | null>;
}
