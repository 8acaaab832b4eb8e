// secret_string.h: SecretString, a string for tokens, codes, verifiers and secrets whose bytes are
// wiped (sodium_memzero) whenever they are freed, moved from or cleared.
//
//   SecretString code("4/0Ab...");
//   send(code.view());           // borrow; never log it
//   // ~SecretString wipes both heap and small-string storage
//
// Heap growth goes through WipingAllocator, so buffers abandoned by a reallocation are wiped too.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace keryx {

// secure_wipe: overwrites `size` bytes at `data` with zeros in a way the compiler cannot elide.
void secure_wipe(void* data, std::size_t size);

// WipingAllocator: std::allocator that wipes each block before freeing it.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  // Implicit: the standard's Allocator requirements convert between rebound allocators implicitly.
  // cppcheck-suppress noExplicitConstructor ; required implicit by the Allocator requirements
  WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor): see above
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>& /*other*/) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const WipingAllocator<U>& /*other*/) const noexcept {
    return false;
  }
};

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text) : text_(text.data(), text.size()) {}
  SecretString(const SecretString& other) = default;
  // Copies, then wipes the source: moving the string would leave a short secret's bytes behind in the
  // source's inline (SSO) buffer, which WipingAllocator never sees.
  // NOLINTNEXTLINE(performance-move-constructor-init): copies on purpose, see above.
  SecretString(SecretString&& other) noexcept : text_(other.text_) { other.wipe(); }
  SecretString& operator=(const SecretString& other) {
    if (this != &other) {
      wipe();
      text_ = other.text_;
    }
    return *this;
  }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      wipe();
      text_ = other.text_;
      other.wipe();
    }
    return *this;
  }
  ~SecretString() { wipe(); }

  std::string_view view() const { return {text_.data(), text_.size()}; }
  const char* data() const { return text_.data(); }
  char* mutable_data() { return text_.data(); }
  std::size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }
  void append(std::string_view more) { text_.append(more.data(), more.size()); }
  void resize(std::size_t n) { text_.resize(n); }
  // wipe: zeroes every byte of storage (including spare capacity) and empties the string.
  void wipe() noexcept {
    secure_wipe(text_.data(), text_.capacity());
    text_.clear();
  }
  // equals: constant-time comparison (length is not secret).
  bool equals(std::string_view other) const;

 private:
  std::basic_string<char, std::char_traits<char>, WipingAllocator<char>> text_;
};

}  // namespace keryx
