// crypto_init.cc: sodium_init and curl_global_init, once (curl_global_init is not thread-safe on its
// own, so both sit behind one std::call_once).
#include "crypto_init.h"

#include <curl/curl.h>
#include <sodium.h>

#include <mutex>

namespace keryx {

Status crypto_init() {
  static std::once_flag once;
  static bool sodium_ok = false;
  std::call_once(once, [] {
    sodium_ok = sodium_init() >= 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
  });
  if (!sodium_ok) return Status(Code::kCryptoError, "libsodium failed to initialise");
  return Status::Ok();
}

}  // namespace keryx
