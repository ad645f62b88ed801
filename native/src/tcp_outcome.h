// The outcome codes of the TCP connector (connect for TCP_CHECK, exchange for HTTP_GET), as JS reads them:
// 0 connected (answered, for an exchange), > 0 an errno (ECONNREFUSED, EHOSTUNREACH …), -1 the timeout elapsed.
// -2 is never delivered: the outcome is still to come.
#pragma once

namespace vigil {

constexpr int kPending = -2;
constexpr int kTimedOut = -1;

}  // namespace vigil
