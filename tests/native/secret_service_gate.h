// secret_service_gate.h: gating for tests that need a real Secret Service, shared by
// keychain_test.cc and key_provider_test.cc. scripts/with-secret-service.sh sets
// KERYX_TEST_SECRET_SERVICE=1 (and KERYX_TEST_SECRET_SERVICE_LOCKED=1 in its --wrong-password phase).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace keryx::testing_support {

// env_is: whether environment variable `name` equals `value`.
inline bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == value;
}

}  // namespace keryx::testing_support

// SKIP_WITHOUT_SECRET_SERVICE: skips (or, with KERYX_REQUIRE_SECRET_SERVICE=1, fails) outside the
// wrapper; `locked` selects the --wrong-password phase (true) or the unlocked one (false).
#define SKIP_WITHOUT_SECRET_SERVICE(locked)                                                      \
  do {                                                                                           \
    using ::keryx::testing_support::env_is;                                                      \
    if (!env_is("KERYX_TEST_SECRET_SERVICE", "1")) {                                             \
      if (env_is("KERYX_REQUIRE_SECRET_SERVICE", "1"))                                           \
        FAIL() << "KERYX_REQUIRE_SECRET_SERVICE=1 but no Secret Service session "                \
                  "(run via scripts/with-secret-service.sh)";                                    \
      GTEST_SKIP() << "no Secret Service session (run via scripts/with-secret-service.sh)";      \
    }                                                                                            \
    if (env_is("KERYX_TEST_SECRET_SERVICE_LOCKED", "1") != (locked))                             \
      GTEST_SKIP() << ((locked) ? "runs in the --wrong-password phase of with-secret-service.sh" \
                                : "runs in the unlocked phase of with-secret-service.sh");       \
  } while (0)
