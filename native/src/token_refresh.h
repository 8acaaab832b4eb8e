// token_refresh.h: one stored account's token kept alive, safely across processes. The transaction:
//
//   1. read the record (no lock) and decide (lifecycle_policy.h); a token fine for the purpose is
//      returned as is;
//   2. otherwise take the account's kernel lock (flock on <vault>.locks/<platform>.<hash>.lock),
//      re-read the record (another process may have refreshed it meanwhile) and decide again;
//   3. a rotating token: check this install holds it (holder_mismatch otherwise), then store an
//      in-flight marker (vault write with fsync) before the request;
//   4. refresh at the platform; on invalid_grant / 401 re-read once and retry if the vault holds a
//      newer credential; else mark the record as needing re-auth (`revoked`, or `rotation_lost`
//      when an earlier attempt's marker shows its rotation never arrived);
//   5. write the new tokens (fsync) and clear the marker before anything is returned; a failed write
//      is retried, and if it still fails the new record comes back with persisted=false so the
//      caller keeps it in memory and raises a critical event.
//
//   RefreshJob job; job.store = options; job.platform = record; job.client = creds;
//   job.purpose = LifecyclePurpose::kUse;
//   Result<RefreshOutcome> r = refresh_stored_token(job);
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "lifecycle_policy.h"
#include "oauth_client.h"
#include "platform.h"
#include "status.h"
#include "token_record.h"
#include "token_store.h"

namespace keryx {

struct RefreshJob {
  StoreOptions store;
  PlatformRecord platform;
  ClientCredentials client;
  std::string account;  // "" = the platform's default account
  RequestLimits limits;
  LifecyclePolicy policy;
  LifecyclePurpose purpose = LifecyclePurpose::kUse;
  int64_t now = 0;         // Unix seconds; 0 = the system clock (tests pass the sandbox's clock)
  bool take_over = false;  // rotate a token another install holds, making this one its holder
  std::chrono::milliseconds account_lock_timeout{std::chrono::seconds(60)};
  int persist_attempts = 3;  // writes of a refreshed record before giving up (persisted=false)
  std::chrono::milliseconds persist_retry_delay{std::chrono::milliseconds(200)};
};

struct RefreshOutcome {
  TokenRecord record;          // the account as stored now (new tokens when refreshed)
  LifecycleDecision decision;  // the decision acted on (the one taken under the lock, if locked)
  bool refreshed = false;      // a refresh request succeeded
  bool rotated = false;        // it returned a new refresh token
  bool persisted = true;       // false: refreshed, but every vault write failed (record only in memory)
  Status persist_error;        // why, when !persisted
  bool recovered = false;      // an earlier attempt's in-flight marker was found and this refresh worked
  bool retried = false;        // an invalid_grant led to a re-read and a second request
  bool waited = false;         // another process refreshed while this one waited for the lock
};

// refresh_stored_token: runs the transaction above. Errors (besides store and network errors; on a
// network error a rotating token's in-flight marker stays, so a lost answer is recognised later):
//  - not_found: no such account;
//  - token_expired: the token is past use and cannot be refreshed (message: the re-auth command);
//  - token_revoked / rotation_lost: the platform no longer accepts it; the record is marked
//    (metadata keryx.needs_reauth) and kept, not deleted; later calls fail the same way at once;
//  - refresh_too_early: kForce on a token the platform refuses to refresh yet (Instagram < 24 h);
//  - holder_mismatch: a rotating token held by another install (see RefreshJob::take_over);
//  - lock_timeout: another process held the account lock longer than account_lock_timeout.
// `error_out` receives the platform's error when it rejected the refresh.
Result<RefreshOutcome> refresh_stored_token(const RefreshJob& job, OAuthError* error_out = nullptr);

// account_lock_path: the lock file serialising refreshes of one account (the account id hashed, so
// any id makes a safe file name).
std::string account_lock_path(const std::string& vault_path, const std::string& platform, const std::string& account);

// is_dead_grant: whether a refresh failure means the credential itself is no longer accepted
// (OAuth invalid_grant, HTTP 401, Graph error 190), as opposed to a passing failure.
bool is_dead_grant(const Status& status, const OAuthError& error);

}  // namespace keryx
