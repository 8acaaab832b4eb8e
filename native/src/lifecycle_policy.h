// lifecycle_policy.h: when a stored token is used as is, refreshed, skipped or alerted on. Pure
// decisions over a TokenRecord, its platform's token shape and a clock; no I/O. Lifetimes come from
// the record (what each token response said); the shape's published figures are only fallbacks.
//
//   LifecycleDecision d = lifecycle_decide(record, TokenShape::kRotatingRefresh, has_refresh_url,
//                                          LifecyclePolicy{}, now, LifecyclePurpose::kUse);
//   if (d.action == LifecycleAction::kRefresh) ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "platform.h"
#include "token_record.h"

namespace keryx {

// Metadata keys keryx keeps on a record for the lifecycle (non-secret, shown by `keryx status`).
inline constexpr std::string_view kMetaRefreshInFlight = "keryx.refresh_in_flight";  // Unix time a refresh began
inline constexpr std::string_view kMetaNeedsReauth = "keryx.needs_reauth";           // "revoked" | "rotation_lost"
inline constexpr std::string_view kMetaNeedsReauthAt = "keryx.needs_reauth_at";      // Unix time it was marked
// The holder (install id holding a refresh token) is token_store.h's kHolderKey.

// LifecyclePolicy: the knobs (config `lifecycle.*` / tokenSource options); defaults in the comments.
struct LifecyclePolicy {
  int64_t skew_seconds = 300;                             // an access token counts as expiring this long early
  int64_t min_refresh_age_seconds = int64_t{24} * 3600;   // long-lived tokens (Instagram) refuse younger refreshes
  int64_t alert_before_seconds = int64_t{7} * 24 * 3600;  // alert this long before an expiry no refresh can extend
  double long_lived_refresh_fraction = 0.5;  // refresh a long-lived token once this share of its life is left
  bool mint_on_use = true;                   // rotating shape: every use mints a fresh access token
};

enum class LifecyclePurpose {
  kUse,       // a caller wants an access token now (tokenSource.getToken)
  kMaintain,  // scheduled upkeep (`keryx auth refresh`): refresh what is due, alert on the rest
  kForce,     // refresh now if the platform allows it (`keryx auth refresh --force`)
};

enum class LifecycleAction {
  kUse,          // the stored access token is fine for the purpose
  kRefresh,      // refresh now
  kTooEarly,     // a refresh is wanted but the platform would refuse it yet (see not_before)
  kExpired,      // the token is past use and cannot be refreshed: re-authorize
  kNeedsReauth,  // marked earlier (revoked, rotation lost): re-authorize
};

// LifecycleDecision: what to do, why (a stable reason word), and the times involved.
struct LifecycleDecision {
  LifecycleAction action = LifecycleAction::kUse;
  std::string reason;  // valid, not_due, mint_on_use, due, expiring, expired, too_young, forced,
                       // refresh_token_expiring, refresh_token_expired, not_refreshable, revoked, rotation_lost
  TokenShape shape = TokenShape::kNoRefresh;  // the effective shape (a LinkedIn record with a refresh token refreshes)
  int64_t expires_at = 0;                     // the access token's expiry (0 unknown)
  int64_t refresh_at = 0;                     // when upkeep will refresh it (0: never / not applicable)
  int64_t not_before = 0;                     // kTooEarly: the first moment the platform accepts a refresh
  bool expiring = false;                      // alert: an expiry no refresh will extend is within alert_before_seconds
  int64_t expiring_at = 0;                    // which expiry the alert is about
};

// default_lifetime_seconds: the published access-token lifetime of a shape (platforms.md), used when
// a record does not say (obtained_at or expires_at unknown).
int64_t default_lifetime_seconds(TokenShape shape);

// effective_shape: the platform's shape adjusted to what the record holds: a refresh-token shape
// without a refresh token cannot refresh (kNoRefresh); a kNoRefresh platform that issued a refresh
// token anyway (LinkedIn's approved apps) refreshes like kNonRotatingRefresh; a long-lived shape
// needs the platform's refresh endpoint.
TokenShape effective_shape(const TokenRecord& record, TokenShape platform_shape, bool has_refresh_endpoint);

// lifecycle_decide: the decision for `record` at `now` (Unix seconds) for `purpose`.
LifecycleDecision lifecycle_decide(const TokenRecord& record, TokenShape platform_shape, bool has_refresh_endpoint,
                                   const LifecyclePolicy& policy, int64_t now, LifecyclePurpose purpose);

std::string_view lifecycle_action_name(LifecycleAction action);

}  // namespace keryx
