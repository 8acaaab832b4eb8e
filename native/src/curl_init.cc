// curl_init.cc: curl_global_init, once. It is not thread-safe on its own before curl 7.84, so it
// sits behind a std::call_once; the full addon also calls it at load, on the main thread.
#include "curl_init.h"

#include <curl/curl.h>

#include <mutex>

namespace keryx {

Status curl_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) return Status(Code::kInternal, "libcurl failed to initialise");
  return Status::Ok();
}

}  // namespace keryx
