// base64url.h: base64url without padding (RFC 4648 §5), the encoding PKCE and OAuth state use.
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace keryx {

// base64url_encode: RFC 4648 §5 alphabet, no '=' padding.
std::string base64url_encode(std::string_view bytes);

// is_base64url_text: every byte of `text` is in the base64url alphabet (A-Z a-z 0-9 - _).
bool is_base64url_text(std::string_view text);

// base64url_decode: strict decode of unpadded base64url; invalid_argument on any other character
// (bytes 0x80-0xFF included), padding or a non-canonical trailing group.
Result<std::string> base64url_decode(std::string_view text);

// hex_encode: lowercase hexadecimal.
std::string hex_encode(std::string_view bytes);

}  // namespace keryx
