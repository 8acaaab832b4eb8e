// random.cc: CSPRNG helpers over libsodium's randombytes_buf.
#include "random.h"

#include <sodium.h>

#include "base64url.h"
#include "crypto_init.h"

namespace keryx {

SecretString random_bytes(std::size_t size) {
  (void)crypto_init();
  SecretString out;
  out.resize(size);
  if (size > 0) randombytes_buf(out.mutable_data(), size);
  return out;
}

std::string random_state() { return base64url_encode(random_bytes(kStateBytes).view()); }

}  // namespace keryx
