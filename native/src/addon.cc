// vigil_native: what no npm package does for vigil (AF_PACKET frames, raw IP sockets with recvmsg ancillary data,
// TCP_CHECK connects batched off one epoll fd, a timerfd timer, realtime scheduling of a thread, a netlink
// notification socket that survives a receive buffer overrun, AF_UNIX datagrams for sd_notify, the TUN device the
// announced routes die with, the real-time signals of keepalived's --signum).
#include "common.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("sendFrame", Napi::Function::New(env, vigil::SendFrame, "sendFrame"));
  exports.Set("interfaceIndex", Napi::Function::New(env, vigil::InterfaceIndex, "interfaceIndex"));
  exports.Set("interfaceMac", Napi::Function::New(env, vigil::InterfaceMac, "interfaceMac"));
  vigil::InitRawIpSocket(env, exports);
  vigil::InitTcpConnector(env, exports);
  vigil::InitPreciseTimer(env, exports);
  vigil::InitUnixDatagramSocket(env, exports);
  vigil::InitNetlinkMonitor(env, exports);
  vigil::InitProcessControl(env, exports);
  vigil::InitSocketOptions(env, exports);
  vigil::InitSignalWatch(env, exports);
  exports.Set("setRealtimePriority", Napi::Function::New(env, vigil::SetRealtimePriority, "setRealtimePriority"));
  exports.Set("setRlimitRttime", Napi::Function::New(env, vigil::SetRlimitRttime, "setRlimitRttime"));
  exports.Set("setFairSlice", Napi::Function::New(env, vigil::SetFairSlice, "setFairSlice"));
  exports.Set("setReceiveBuffer", Napi::Function::New(env, vigil::SetReceiveBufferOf, "setReceiveBuffer"));
  exports.Set("receiveBuffer", Napi::Function::New(env, vigil::ReceiveBufferOf, "receiveBuffer"));
  exports.Set("miiLinkStatus", Napi::Function::New(env, vigil::MiiLinkStatus, "miiLinkStatus"));
  exports.Set("openTunDevice", Napi::Function::New(env, vigil::OpenTunDevice, "openTunDevice"));
  return exports;
}

NODE_API_MODULE(vigil_native, Init)
