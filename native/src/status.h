// status.h: keryx's error values. Every fallible core function returns a Status or a Result<T>;
// nothing throws across the core's API.
//
//   Result<std::string> r = pkce_challenge(PkceMethod::kS256, verifier);
//   if (!r.ok()) return r.status();          // or KERYX_RETURN_IF_ERROR(...)
//   use(r.value());
//
// Codes form one closed, frozen enum: a code's name and number are never reused or renamed, only
// added. Messages are fixed, human text written by keryx; they never carry a token, code, verifier,
// state or secret (callers put only non-secret detail in them: a port, a path, a parameter name).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace keryx {

// Code: the stable error codes. The snake_case name (code_name) is the public identifier that JS,
// the CLI's --json output and docs/errors.md use. Append only; never renumber.
enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,          // invalid_argument: a caller passed something malformed
  kInternal = 2,                 // internal: a bug or an unexpected library failure
  kIoError = 3,                  // io_error: a file or socket operation failed
  kNetworkError = 4,             // network_error: could not connect, DNS, reset
  kTimeout = 5,                  // timeout: an HTTP request ran past its deadline
  kTlsError = 6,                 // tls_error: certificate verification or handshake failed
  kHttpStatus = 7,               // http_status: a server answered with an unexpected HTTP status
  kResponseTooLarge = 8,         // response_too_large: a response exceeded the size cap
  kJsonInvalid = 9,              // json_invalid: malformed JSON or a JSON value of the wrong type
  kPlatformRejected = 10,        // platform_rejected: the platform answered with an OAuth error
  kStateMismatch = 11,           // state_mismatch: a callback or paste carried another flow's state
  kMissingCode = 12,             // missing_code: a callback or paste had no authorization code
  kPortRangeBusy = 13,           // port_range_busy: every port of the callback range is taken
  kPortInUse = 14,               // port_in_use: a pinned callback port is taken
  kBindFailed = 15,              // bind_failed: the capture server could not listen (not "in use")
  kRedirectInvalid = 16,         // redirect_invalid: a redirect URI keryx cannot serve
  kCaptureTimeout = 17,          // capture_timeout: no callback or paste arrived in time
  kCancelled = 18,               // cancelled: the caller aborted (AbortSignal, SIGINT)
  kPasteInvalid = 19,            // paste_invalid: pasted text is neither a code nor a redirect URL
  kAlreadyFinished = 20,         // already_finished: the capture already has its result
  kTokenExpired = 21,            // token_expired: (lifecycle) the token is past its expiry
  kTokenRevoked = 22,            // token_revoked: (lifecycle) the platform no longer accepts the token
  kVaultCorrupt = 23,            // vault_corrupt: (storage) the vault failed authentication or parsing
  kCryptoError = 24,             // crypto_error: a cryptographic primitive failed
  kNotFound = 25,                // not_found: a file, record or key that was asked for does not exist
  kInsecurePermissions = 26,     // insecure_permissions: a file holding secrets is readable by group or others
  kLockTimeout = 27,             // lock_timeout: another process held the vault lock too long
  kVaultWrongKey = 28,           // vault_wrong_key: the vault was sealed with another key
  kVaultTruncated = 29,          // vault_truncated: the vault file is shorter than its header says
  kVaultRollback = 30,           // vault_rollback: the vault is older than the newest generation this install wrote
  kVaultFormatUnsupported = 31,  // vault_format_unsupported: the vault header is malformed or of an unknown version
  kKeychainUnavailable = 32,     // keychain_unavailable: no OS keychain (Secret Service) could be reached
  kKeychainLocked = 33,          // keychain_locked: the OS keychain is locked
  kConfigInvalid = 34,           // config_invalid: the config file is not valid JSON or has a wrong type
  kSecretInConfig = 35,          // secret_in_config: a secret was given as a config value
  kVaultKeyMissing = 36,         // vault_key_missing: no key provider could supply the vault key
  kPrerequisiteMissing = 37,     // prerequisite_missing: a platform needs a config key or env var that is not set
  kPendingAuthMissing = 38,      // pending_auth_missing: --code has no matching pending authorization
  kScopeMissing = 39,            // scope_missing: the platform granted fewer scopes than keryx asked for
  kDiscoveryFailed = 40,         // discovery_failed: an issuer's metadata could not be fetched or is unusable
  kRotationLost = 41,            // rotation_lost: (lifecycle) a rotated refresh token was issued but never stored
  kHolderMismatch = 42,          // holder_mismatch: (lifecycle) a rotating token belongs to another install or the env
  kRefreshTooEarly = 43,         // refresh_too_early: (lifecycle) the platform refuses to refresh a token this young
};

// code_name returns the frozen snake_case name of `code` ("state_mismatch").
std::string_view code_name(Code code);

// Status: a code plus a secret-free message. Cheap to copy; [[nodiscard]] so results are checked.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // name: code_name(code()).
  std::string_view name() const { return code_name(code_); }
  // to_string: "state_mismatch: <message>".
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose, so a function returning Result<T> can `return value;` or `return status;`.
  // cppcheck-suppress noExplicitConstructor ; implicit by design, see above
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor): see above
  // cppcheck-suppress noExplicitConstructor ; implicit by design, see above
  Result(Status status) : data_(std::move(status)) {}  // NOLINT(google-explicit-constructor): see above
  Result(Code code, std::string message) : data_(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(data_); }
  // status: Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace keryx

// KERYX_RETURN_IF_ERROR(expr): evaluates a Status expression and returns it when not ok.
#define KERYX_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::keryx::Status keryx_status__ = (expr);         \
    if (!keryx_status__.ok()) return keryx_status__; \
  } while (0)
