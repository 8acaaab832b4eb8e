// base64url.cc: encodings via libsodium (sodium_bin2base64 / sodium_base642bin / sodium_bin2hex).
#include "base64url.h"

#include <sodium.h>

#include <algorithm>

#include "crypto_init.h"

namespace keryx {

std::string base64url_encode(std::string_view bytes) {
  (void)crypto_init();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // drop the terminating NUL sodium counts in
  return out;
}

bool is_base64url_text(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<std::string> base64url_decode(std::string_view text) {
  (void)crypto_init();
  // libsodium 1.0.18's sodium_base642bin sign-extends each character, so it reads every byte
  // 0x80-0xFF as '_' (value 63): only the alphabet may reach it.
  if (!is_base64url_text(text)) return Status(Code::kInvalidArgument, "not valid unpadded base64url");
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &written, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return Status(Code::kInvalidArgument, "not valid unpadded base64url");
  }
  out.resize(written);
  return out;
}

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

}  // namespace keryx
