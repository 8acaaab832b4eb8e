// status.cc: the frozen code -> name table.
#include "status.h"

namespace keryx {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kInternal: return "internal";
    case Code::kIoError: return "io_error";
    case Code::kNetworkError: return "network_error";
    case Code::kTimeout: return "timeout";
    case Code::kTlsError: return "tls_error";
    case Code::kHttpStatus: return "http_status";
    case Code::kResponseTooLarge: return "response_too_large";
    case Code::kJsonInvalid: return "json_invalid";
    case Code::kPlatformRejected: return "platform_rejected";
    case Code::kStateMismatch: return "state_mismatch";
    case Code::kMissingCode: return "missing_code";
    case Code::kPortRangeBusy: return "port_range_busy";
    case Code::kPortInUse: return "port_in_use";
    case Code::kBindFailed: return "bind_failed";
    case Code::kRedirectInvalid: return "redirect_invalid";
    case Code::kCaptureTimeout: return "capture_timeout";
    case Code::kCancelled: return "cancelled";
    case Code::kPasteInvalid: return "paste_invalid";
    case Code::kAlreadyFinished: return "already_finished";
    case Code::kTokenExpired: return "token_expired";
    case Code::kTokenRevoked: return "token_revoked";
    case Code::kVaultCorrupt: return "vault_corrupt";
    case Code::kCryptoError: return "crypto_error";
    case Code::kNotFound: return "not_found";
    case Code::kInsecurePermissions: return "insecure_permissions";
    case Code::kLockTimeout: return "lock_timeout";
    case Code::kVaultWrongKey: return "vault_wrong_key";
    case Code::kVaultTruncated: return "vault_truncated";
    case Code::kVaultRollback: return "vault_rollback";
    case Code::kVaultFormatUnsupported: return "vault_format_unsupported";
    case Code::kKeychainUnavailable: return "keychain_unavailable";
    case Code::kKeychainLocked: return "keychain_locked";
    case Code::kConfigInvalid: return "config_invalid";
    case Code::kSecretInConfig: return "secret_in_config";
    case Code::kVaultKeyMissing: return "vault_key_missing";
    case Code::kPrerequisiteMissing: return "prerequisite_missing";
    case Code::kPendingAuthMissing: return "pending_auth_missing";
    case Code::kScopeMissing: return "scope_missing";
    case Code::kDiscoveryFailed: return "discovery_failed";
    case Code::kRotationLost: return "rotation_lost";
    case Code::kHolderMismatch: return "holder_mismatch";
    case Code::kRefreshTooEarly: return "refresh_too_early";
  }
  return "internal";
}

std::string Status::to_string() const {
  std::string out(name());
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace keryx
