// lifecycle_policy.cc: see lifecycle_policy.h. Every branch is a rule from the four token
// shapes; the reasons are stable words the JS events and `keryx auth refresh --json` report.
#include "lifecycle_policy.h"

#include <algorithm>

namespace keryx {
namespace {

constexpr int64_t kDay = int64_t{24} * 3600;

LifecycleDecision decided(LifecycleDecision d, LifecycleAction action, std::string reason) {
  d.action = action;
  d.reason = std::move(reason);
  return d;
}

// lifetime_of: the access token's lifetime as the record says it, else the shape's default.
int64_t lifetime_of(const TokenRecord& r, TokenShape shape) {
  if (r.expires_at > 0 && r.obtained_at > 0 && r.expires_at > r.obtained_at) return r.expires_at - r.obtained_at;
  return default_lifetime_seconds(shape);
}

}  // namespace

int64_t default_lifetime_seconds(TokenShape shape) {
  switch (shape) {
    case TokenShape::kLongLivedRefreshable: return 60 * kDay;  // Instagram long-lived token
    case TokenShape::kNonRotatingRefresh: return 3600;         // Google access token
    case TokenShape::kRotatingRefresh: return kDay;            // TikTok access token
    case TokenShape::kNoRefresh: return 60 * kDay;             // LinkedIn access token
  }
  return 3600;
}

TokenShape effective_shape(const TokenRecord& record, TokenShape platform_shape, bool has_refresh_endpoint) {
  switch (platform_shape) {
    case TokenShape::kLongLivedRefreshable:
      return has_refresh_endpoint && !record.access_token.empty() ? platform_shape : TokenShape::kNoRefresh;
    case TokenShape::kNonRotatingRefresh:
    case TokenShape::kRotatingRefresh: return record.refresh_token.empty() ? TokenShape::kNoRefresh : platform_shape;
    case TokenShape::kNoRefresh:
      return record.refresh_token.empty() ? TokenShape::kNoRefresh : TokenShape::kNonRotatingRefresh;
  }
  return TokenShape::kNoRefresh;
}

LifecycleDecision lifecycle_decide(const TokenRecord& record, TokenShape platform_shape, bool has_refresh_endpoint,
                                   const LifecyclePolicy& policy, int64_t now, LifecyclePurpose purpose) {
  LifecycleDecision d;
  d.shape = effective_shape(record, platform_shape, has_refresh_endpoint);
  d.expires_at = record.expires_at;

  auto marked = record.metadata.find(std::string(kMetaNeedsReauth));
  if (marked != record.metadata.end() && !marked->second.empty()) {
    return decided(d, LifecycleAction::kNeedsReauth, marked->second);
  }

  const int64_t lifetime = lifetime_of(record, d.shape);
  const bool has_expiry = record.expires_at > 0;
  const bool expired = has_expiry && now >= record.expires_at;
  // The skew never exceeds half the lifetime, so a short token is not "expiring" from birth.
  const int64_t skew = std::min(policy.skew_seconds, lifetime / 2);
  const bool fresh = !has_expiry || now < record.expires_at - skew;
  const bool force = purpose == LifecyclePurpose::kForce;

  if (d.shape == TokenShape::kNoRefresh) {
    if (has_expiry && now >= record.expires_at - policy.alert_before_seconds) {
      d.expiring = true;
      d.expiring_at = record.expires_at;
    }
    if (expired) return decided(d, LifecycleAction::kExpired, "expired");
    return decided(d, LifecycleAction::kUse, force ? "not_refreshable" : d.expiring ? "expiring" : "valid");
  }

  const int64_t rt_expiry = record.refresh_expires_at;
  if (rt_expiry > 0 && now >= rt_expiry) {  // the refresh token itself is dead
    d.expiring = true;
    d.expiring_at = expired ? rt_expiry : record.expires_at;
    if (expired) return decided(d, LifecycleAction::kExpired, "refresh_token_expired");
    return decided(d, LifecycleAction::kUse, "refresh_token_expired");
  }
  const bool rt_expiring = rt_expiry > 0 && now >= rt_expiry - policy.alert_before_seconds;

  if (d.shape == TokenShape::kLongLivedRefreshable) {
    const int64_t obtained = record.obtained_at > 0 ? record.obtained_at : record.expires_at - lifetime;
    d.not_before = obtained + policy.min_refresh_age_seconds;
    const auto keep = static_cast<int64_t>(static_cast<double>(lifetime) * policy.long_lived_refresh_fraction);
    const bool due = has_expiry && now >= record.expires_at - keep;
    d.refresh_at = has_expiry ? std::max(record.expires_at - keep, d.not_before) : 0;
    if (!force && !due && fresh) {
      return decided(d, LifecycleAction::kUse, purpose == LifecyclePurpose::kUse ? "valid" : "not_due");
    }
    if (expired) {  // a long-lived token cannot be refreshed once it has expired
      d.expiring = true;
      d.expiring_at = record.expires_at;
      return decided(d, LifecycleAction::kExpired, "expired");
    }
    if (now < d.not_before) {
      if (purpose == LifecyclePurpose::kUse) return decided(d, LifecycleAction::kUse, "too_young");
      return decided(d, LifecycleAction::kTooEarly, "too_young");
    }
    return decided(d, LifecycleAction::kRefresh, force ? "forced" : fresh ? "due" : "expiring");
  }

  // A refresh-token shape (Google, TikTok, LinkedIn with refresh).
  d.refresh_at = has_expiry ? record.expires_at - skew : 0;
  if (rt_expiring && d.shape != TokenShape::kRotatingRefresh) {  // no refresh extends it: alert
    d.expiring = true;
    d.expiring_at = rt_expiry;
  }
  if (force) return decided(d, LifecycleAction::kRefresh, "forced");
  if (d.shape == TokenShape::kRotatingRefresh && purpose == LifecyclePurpose::kUse && policy.mint_on_use) {
    return decided(d, LifecycleAction::kRefresh, "mint_on_use");
  }
  if (d.shape == TokenShape::kRotatingRefresh && rt_expiring) {  // a rotation renews the refresh token
    return decided(d, LifecycleAction::kRefresh, "refresh_token_expiring");
  }
  if (fresh) {
    return decided(d, LifecycleAction::kUse,
                   d.expiring                          ? "refresh_token_expiring"
                   : purpose == LifecyclePurpose::kUse ? "valid"
                                                       : "not_due");
  }
  return decided(d, LifecycleAction::kRefresh, expired ? "expired" : "expiring");
}

std::string_view lifecycle_action_name(LifecycleAction action) {
  switch (action) {
    case LifecycleAction::kUse: return "use";
    case LifecycleAction::kRefresh: return "refresh";
    case LifecycleAction::kTooEarly: return "too_early";
    case LifecycleAction::kExpired: return "expired";
    case LifecycleAction::kNeedsReauth: return "needs_reauth";
  }
  return "use";
}

}  // namespace keryx
