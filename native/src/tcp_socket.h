// Opening a TCP_CHECK connection without blocking: socket(), the optional source (keepalived `bindto` /
// `bind_port`), connect() left in progress.
#pragma once

#include <string>

namespace vigil {

// A non-blocking connect to `address`:`port` (IP literals of family AF_INET or AF_INET6), bound first when
// `bind_address` is given or `bind_port` is not 0 (an absent address is the wildcard). kPending with the socket in
// *fd while the connect is in progress, else the outcome known at once (an errno; the socket is then closed).
int StartConnect(int af, const std::string& address, int port, const std::string* bind_address, int bind_port, int* fd);

// The outcome of a connect in progress if it has one already (0 established, an errno), else kPending.
int SettledOutcome(int fd);

}  // namespace vigil
