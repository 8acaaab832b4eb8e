// crypto_init.cc: sodium_init, once (sodium_init is itself idempotent, but the call_once also
// remembers its answer).
#include "crypto_init.h"

#include <sodium.h>

#include <mutex>

namespace keryx {

Status crypto_init() {
  static std::once_flag once;
  static bool sodium_ok = false;
  std::call_once(once, [] { sodium_ok = sodium_init() >= 0; });
  if (!sodium_ok) return Status(Code::kCryptoError, "libsodium failed to initialise");
  return Status::Ok();
}

}  // namespace keryx
