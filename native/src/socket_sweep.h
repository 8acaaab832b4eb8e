// socket_sweep.h: ends connections a stopping server still has open. cpp-httplib joins its worker
// threads on stop, and a worker blocked in recv() on an idle or slow (slowloris) client would hold
// that join for as long as the client dribbles bytes. Shutting those sockets down wakes the worker
// at once.
#pragma once

namespace keryx {

// shutdown_accepted_sockets: shutdown(SHUT_RDWR) on every connected (accepted) TCP socket of this
// process whose local port is `port`. Listening sockets and client sockets are left alone.
// Returns how many were shut down. Linux reads /proc/self/fd; elsewhere it does nothing.
int shutdown_accepted_sockets(int port);

}  // namespace keryx
