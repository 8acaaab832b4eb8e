// secret_string.cc: wiping and constant-time comparison, both from libsodium.
#include "secret_string.h"

#include <sodium.h>

namespace keryx {

void secure_wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) sodium_memzero(data, size);
}

bool SecretString::equals(std::string_view other) const {
  if (other.size() != text_.size()) return false;
  if (other.empty()) return true;
  return sodium_memcmp(text_.data(), other.data(), other.size()) == 0;
}

}  // namespace keryx
