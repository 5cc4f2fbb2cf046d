/**
 * Request budgets per token and per organization (requests per minute, in this process), kept by
 * rate-limiter-flexible. Past either budget a request is answered `429` with `Retry-After`, and
 * counted in /metrics. Several server processes each keep their own budget.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimits {
  /** Requests per minute per token; 0 for no limit. */
  readonly tokenPerMinute: number;
  /** Requests per minute per organization, all its tokens together; 0 for no limit. */
  readonly orgPerMinute: number;
}

export type RateScope = 'token' | 'org';

export interface RateRefusal {
  readonly scope: RateScope;
  readonly limit: number;
  readonly retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #token: RateLimiterMemory | null;
  readonly #org: RateLimiterMemory | null;

  constructor(readonly limits: RateLimits) {
    this.#token =
      limits.tokenPerMinute > 0
        ? new RateLimiterMemory({ keyPrefix: 'token', points: limits.tokenPerMinute, duration: 60 })
        : null;
    this.#org =
      limits.orgPerMinute > 0
        ? new RateLimiterMemory({ keyPrefix: 'org', points: limits.orgPerMinute, duration: 60 })
        : null;
  }

  /** Spends one request of the token's and the org's budgets; the refusal when either is spent. */
  async take(tokenKey: string, orgId: string): Promise<RateRefusal | null> {
    const spend = async (limiter: RateLimiterMemory | null, key: string, scope: RateScope, limit: number) => {
      if (!limiter) return null;
      try {
        await limiter.consume(key);
        return null;
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        return { scope, limit, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      }
    };
    return (
      (await spend(this.#token, tokenKey, 'token', this.limits.tokenPerMinute)) ??
      (await spend(this.#org, orgId, 'org', this.limits.orgPerMinute))
    );
  }
}
