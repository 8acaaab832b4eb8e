// random.h: the CSPRNG (libsodium's randombytes, backed by getrandom(2) on Linux).
#pragma once

#include <cstddef>
#include <string>

#include "secret_string.h"

namespace keryx {

// kStateBytes: bytes of randomness in an OAuth `state` (256 bits; the floor is 128, RFC 6749 §10.12).
inline constexpr std::size_t kStateBytes = 32;

// random_bytes: `size` bytes from the CSPRNG, in a wiped buffer.
SecretString random_bytes(std::size_t size);

// random_state: a fresh OAuth `state`: kStateBytes random bytes, base64url without padding (43 chars).
std::string random_state();

}  // namespace keryx
