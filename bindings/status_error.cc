// status_error.cc: Status -> Error conversion.
#include "status_error.h"

#include <string>

namespace keryx::bindings {

Napi::Error status_to_error(Napi::Env env, const Status& status) {
  Napi::Error error = Napi::Error::New(env, status.message().empty() ? std::string(status.name()) : status.message());
  error.Set("code", Napi::String::New(env, std::string(status.name())));
  error.Set("keryxCode", Napi::Boolean::New(env, true));
  return error;
}

void throw_status(Napi::Env env, const Status& status) { status_to_error(env, status).ThrowAsJavaScriptException(); }

}  // namespace keryx::bindings
