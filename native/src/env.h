// env.h: env_get, the one place keryx reads the process environment.
#pragma once

#include <cstdlib>

namespace keryx {

// env_get: the value of the environment variable `name`, nullptr when it is not set (std::getenv).
// The pointer is valid until the environment next changes: copy what is needed right away. getenv is
// not safe against a concurrent setenv/putenv; keryx's native code never modifies the environment,
// and its callers read it on demand, the same way libcurl reads its proxy variables.
inline const char* env_get(const char* name) {
  return std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read-only use, see above; keryx never calls setenv/putenv
}

}  // namespace keryx
