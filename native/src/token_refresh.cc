// token_refresh.cc: see token_refresh.h for the transaction. The order of writes is the point:
// marker before the request, new tokens before the answer, so no rotation goes unrecorded.
#include "token_refresh.h"

#include <sodium.h>

#include <array>
#include <ctime>
#include <thread>
#include <utility>

#include "base64url.h"
#include "secure_file.h"

namespace keryx {
namespace {

int64_t clock_now(const RefreshJob& job) { return job.now > 0 ? job.now : static_cast<int64_t>(std::time(nullptr)); }

std::string meta(const TokenRecord& r, std::string_view key) {
  auto it = r.metadata.find(std::string(key));
  return it == r.metadata.end() ? std::string() : it->second;
}

std::string utc(int64_t t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf.data(), n);
}

LifecycleDecision decide(const RefreshJob& job, const TokenRecord& r, int64_t now) {
  return lifecycle_decide(r, job.platform.shape, !job.platform.endpoints.refresh_url.empty(), job.policy, now,
                          job.purpose);
}

// credential: what the refresh request sends (Instagram refreshes the long-lived token itself).
std::string_view credential(const LifecycleDecision& d, const TokenRecord& r) {
  return d.shape == TokenShape::kLongLivedRefreshable ? r.access_token.view() : r.refresh_token.view();
}

std::string who(const RefreshJob& job, const TokenRecord& r) {
  return (job.platform.display_name.empty() ? job.platform.id : job.platform.display_name) + " account " + r.account;
}

std::string reauth(const RefreshJob& job) { return "re-run: keryx auth " + job.platform.id; }

// settle: the answer when the decision needs no request.
Result<RefreshOutcome> settle(const RefreshJob& job, TokenRecord record, const LifecycleDecision& d, bool waited) {
  switch (d.action) {
    case LifecycleAction::kExpired:
      return Status(Code::kTokenExpired,
                    who(job, record) + ": the token " +
                        (d.reason == "refresh_token_expired" ? "and its refresh token have" : "has") +
                        " expired and cannot be refreshed; " + reauth(job));
    case LifecycleAction::kNeedsReauth:
      if (d.reason == "rotation_lost") {
        return Status(Code::kRotationLost, who(job, record) +
                                               ": a rotated refresh token was issued but never stored, so the stored "
                                               "one is dead; " +
                                               reauth(job));
      }
      return Status(
          Code::kTokenRevoked,
          who(job, record) + ": the platform no longer accepts this token (revoked or expired there); " + reauth(job));
    case LifecycleAction::kTooEarly:
      if (job.purpose == LifecyclePurpose::kForce) {
        return Status(Code::kRefreshTooEarly, who(job, record) +
                                                  ": the platform refuses to refresh a token this "
                                                  "young; it can be refreshed from " +
                                                  utc(d.not_before));
      }
      break;
    case LifecycleAction::kUse:
    case LifecycleAction::kRefresh: break;
  }
  RefreshOutcome out;
  out.record = std::move(record);
  out.decision = d;
  out.waited = waited;
  return out;
}

// apply: the refreshed tokens into the record, keeping what the platform did not resend.
void apply(TokenRecord& r, TokenResponse& t, int64_t now) {
  r.access_token = std::move(t.access_token);
  if (!t.refresh_token.empty()) r.refresh_token = std::move(t.refresh_token);
  if (!t.token_type.empty()) r.token_type = t.token_type;
  if (t.scopes_reported) r.scopes = t.scopes;
  r.obtained_at = now;
  r.expires_at = t.expires_in ? now + *t.expires_in : 0;
  if (t.refresh_expires_in) r.refresh_expires_at = now + *t.refresh_expires_in;
  r.metadata.erase(std::string(kMetaRefreshInFlight));
  r.metadata.erase(std::string(kMetaNeedsReauth));
  r.metadata.erase(std::string(kMetaNeedsReauthAt));
}

}  // namespace

bool is_dead_grant(const Status& status, const OAuthError& error) {
  if (status.code() != Code::kPlatformRejected && status.code() != Code::kHttpStatus) return false;
  if (error.error == "invalid_grant" || error.http_status == 401) return true;
  const std::string_view e = error.error;
  return e == "190" || (e.size() > 4 && e.substr(e.size() - 4) == " 190");  // Graph: invalid OAuth token
}

std::string account_lock_path(const std::string& vault_path, const std::string& platform, const std::string& account) {
  std::array<unsigned char, 16> digest{};
  // 16 bytes is a valid BLAKE2b output size, so this cannot fail.
  (void)crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(account.data()),
                           account.size(), nullptr, 0);
  return vault_path + ".locks/" + platform + "." +
         hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())) + ".lock";
}

Result<RefreshOutcome> refresh_stored_token(const RefreshJob& job, OAuthError* error_out) {
  Result<std::unique_ptr<TokenStore>> opened = TokenStore::open(job.store, /*create=*/true);
  if (!opened.ok()) return opened.status();
  TokenStore& store = *opened.value();
  const std::string& id = job.platform.id;

  // 1. Unlocked read: most uses need no refresh and no lock.
  Result<TokenRecord> first = store.get(id, job.account);
  if (!first.ok()) return first.status();
  LifecycleDecision d = decide(job, first.value(), clock_now(job));
  if (d.action != LifecycleAction::kRefresh) return settle(job, std::move(first).value(), d, false);

  // 2. The account lock, then a re-read: another process may have refreshed while we waited.
  const std::string account = first.value().account;
  KERYX_RETURN_IF_ERROR(ensure_private_dir(job.store.vault_path + ".locks"));
  Result<FileLock> lock =
      FileLock::acquire(account_lock_path(job.store.vault_path, id, account), job.account_lock_timeout);
  if (!lock.ok()) return lock.status();
  Result<TokenRecord> current = store.get(id, account);
  if (!current.ok()) return current.status();
  TokenRecord record = std::move(current).value();
  const int64_t now = clock_now(job);
  const bool waited = record.access_token.view() != first.value().access_token.view();
  d = decide(job, record, now);
  if (d.action != LifecycleAction::kRefresh) return settle(job, std::move(record), d, waited);
  if (waited && d.reason == "mint_on_use") {
    // Minted by another process a moment ago, while this one waited: that token serves this use too.
    LifecyclePolicy reuse = job.policy;
    reuse.mint_on_use = false;
    LifecycleDecision fresh = lifecycle_decide(record, job.platform.shape, false, reuse, now, job.purpose);
    if (fresh.action == LifecycleAction::kUse) return settle(job, std::move(record), fresh, true);
  }

  // 3. A rotating token: one holder, and a durable in-flight marker before the request.
  const bool rotating = d.shape == TokenShape::kRotatingRefresh;
  const bool prior_marker = !meta(record, kMetaRefreshInFlight).empty();
  if (rotating) {
    const std::string holder = meta(record, kHolderKey);
    if (!holder.empty() && holder != store.install_id_hex() && !job.take_over) {
      return Status(Code::kHolderMismatch,
                    who(job, record) +
                        ": its rotating refresh token is held by another keryx install (was the vault copied from "
                        "another machine?); refreshing it here would lock that copy out. Refresh it there, or take it "
                        "over on purpose: keryx auth refresh " +
                        id + " --take-over");
    }
    TokenRecord marked = record;
    marked.metadata[std::string(kMetaRefreshInFlight)] = std::to_string(now);
    KERYX_RETURN_IF_ERROR(store.put(std::move(marked)));
  }

  // 4. The request; one re-read and retry after a dead-grant answer.
  OAuthError err;
  Result<TokenResponse> t = refresh_access_token(job.platform, job.client, credential(d, record), job.limits, &err);
  bool retried = false;
  if (!t.ok() && is_dead_grant(t.status(), err)) {
    Result<TokenRecord> again = store.get(id, account);
    if (again.ok() && credential(d, again.value()) != credential(d, record) &&
        meta(again.value(), kMetaNeedsReauth).empty()) {
      record = std::move(again).value();
      retried = true;
      err = OAuthError{};
      t = refresh_access_token(job.platform, job.client, credential(d, record), job.limits, &err);
    }
  }
  if (!t.ok()) {
    if (error_out != nullptr) *error_out = err;
    if (!is_dead_grant(t.status(), err)) return t.status();  // passing failure: a rotating marker stays
    const bool lost = rotating && prior_marker;
    TokenRecord marked = record;
    marked.metadata.erase(std::string(kMetaRefreshInFlight));
    marked.metadata[std::string(kMetaNeedsReauth)] = lost ? "rotation_lost" : "revoked";
    marked.metadata[std::string(kMetaNeedsReauthAt)] = std::to_string(now);
    Status saved = store.put(std::move(marked));
    std::string why = " (" + t.status().message() + ")" + (saved.ok() ? "" : "; marking it failed: " + saved.message());
    if (lost) {
      return Status(Code::kRotationLost, who(job, record) +
                                             ": an earlier refresh rotated the token but its answer never arrived, so "
                                             "the stored refresh token is dead" +
                                             why + "; " + reauth(job));
    }
    return Status(Code::kTokenRevoked,
                  who(job, record) + ": the platform no longer accepts the token" + why + "; " + reauth(job));
  }

  // 5. Durable before returned.
  RefreshOutcome out;
  out.rotated = !t.value().refresh_token.empty() && t.value().refresh_token.view() != record.refresh_token.view();
  out.refreshed = true;
  out.retried = retried;
  out.recovered = prior_marker;
  out.waited = waited;
  TokenRecord updated = record;
  apply(updated, t.value(), now);
  if (rotating || out.rotated) updated.metadata[std::string(kHolderKey)] = store.install_id_hex();
  Status written = Status(Code::kInternal, "not written");
  for (int attempt = 0; attempt < std::max(1, job.persist_attempts); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(job.persist_retry_delay * attempt);
    written = store.put(updated);
    if (written.ok()) break;
  }
  out.persisted = written.ok();
  if (!written.ok()) out.persist_error = written;
  out.record = std::move(updated);
  out.decision = d;
  return out;
}

}  // namespace keryx
