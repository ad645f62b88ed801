/**
 * The keywords the runtime acts on, each with its evidence; config/not-implemented.ts lists the others. Keys are
 * keyword paths as there (`a|b` is either keyword). The evidence is one of:
 * - the model fields (`Type.field` of config/model.ts, space-separated) through which the keyword takes effect
 *   (an inherited virtual_server / real_server setting names the checker or real-server field finalize-lvs.ts fills):
 *   test/config/keyword-coverage.test.ts checks, with the TypeScript compiler, that runtime code (actors/, sim/,
 *   transport/) reads each of them. A global default names the instance field it fills in (finalize-vrrp.ts).
 * - `{ test }`: a test file that shows the keyword's effect (and names it).
 * - `{ noop }`: why doing nothing is what keepalived does too.
 */

export type Evidence = string | { readonly test: string } | { readonly noop: string };

const CONNECTING = 'TCP_CHECK|HTTP_GET|SSL_GET|SMTP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK';
const TIMED = `${CONNECTING}|MISC_CHECK`;
const VS = 'virtual_server';
const RS = 'virtual_server real_server';
const HTTP = 'virtual_server real_server HTTP_GET|SSL_GET';

export const IMPLEMENTED: Readonly<Record<string, Evidence>> = {
  // Top level
  global_defs: 'Config.globalDefs',
  // The pid file's name and directory (actors/daemon/process-names.ts); net_namespace runs vigil again in it.
  instance: { test: 'test/daemon/process-keywords.test.ts' },
  net_namespace: { test: 'test/daemon/process-keywords.test.ts' },
  use_pid_dir: { test: 'test/actors/process-control.test.ts' },
  child_wait_time: { test: 'test/daemon/child-wait-time.test.ts' },
  // Without dev on global_defs default_interface; deleted ones put back unless no_track (test/daemon/topology.test.ts).
  static_ipaddress: 'Config.staticIpAddresses IpAddress.address IpAddress.dev IpAddress.scope IpAddress.label IpAddress.broadcast IpAddress.peer IpAddress.home IpAddress.nodad IpAddress.mngtmpaddr IpAddress.noprefixroute IpAddress.autojoin IpAddress.noTrack IpAddress.preferredLft IpAddress.trackGroup',
  static_routes: 'Config.staticRoutes Route.kernel',
  static_rules: 'Config.staticRules Rule.kernel',
  // The instances of a track_group track the interfaces of its static routes, rules and addresses.
  track_group: 'Config.trackGroups',
  'track_group group': 'TrackGroup.group',
  interface_up_down_delays: 'Config.interfaceUpDownDelays InterfaceDelay.downDelay InterfaceDelay.upDelay',
  // Polled every second (actors/vrrp/link-poller.ts) by MII, ETHTOOL or IOCTL as keepalived falls back
  // (transport/real/netlink-address-manager.ts linkbeatMethod, test/daemon/linkbeat-mii.test.ts).
  linkbeat_interfaces: 'Config.linkbeatInterfaces',
  linkbeat_use_polling: 'GlobalDefs.linkbeatUsePolling',
  garp_group: 'Config.garpGroups',
  'garp_group garp_interval': 'GarpGroup.garpInterval',
  'garp_group gna_interval': 'GarpGroup.gnaInterval',
  'garp_group interface': 'GarpGroup.interface',
  'garp_group interfaces': 'GarpGroup.interfaces',
  vrrp_script: 'Config.vrrpScripts',
  'vrrp_script script': 'VrrpScript.script',
  'vrrp_script interval': 'VrrpScript.interval',
  'vrrp_script timeout': 'VrrpScript.timeout',
  // An object's own weight and direction reach the instances through their track_* entries (finalize-vrrp.ts).
  'vrrp_script weight': 'TrackedByName.weight TrackedByName.reverse',
  'vrrp_script rise': 'VrrpScript.rise',
  'vrrp_script fall': 'VrrpScript.fall',
  'vrrp_script user': 'VrrpScript.user',
  'vrrp_script init_fail': 'VrrpScript.initFail',
  'track_file|vrrp_track_file': 'Config.trackFiles',
  'track_file|vrrp_track_file file': 'TrackFile.file',
  'track_file|vrrp_track_file weight': 'TrackedByName.weight TrackedByName.reverse TrackFile.weight',
  // Written at start and reload as keepalived does (actors/trackers/init-files.ts, test/actors/track-file-init.test.ts).
  'track_file|vrrp_track_file init_file': 'TrackFile.initFile',
  'track_process|vrrp_track_process': 'Config.trackProcesses',
  'track_process|vrrp_track_process process': 'TrackProcess.process TrackProcess.params',
  'track_process|vrrp_track_process param_match': 'TrackProcess.paramMatch',
  'track_process|vrrp_track_process weight': 'TrackedByName.weight TrackedByName.reverse',
  'track_process|vrrp_track_process quorum': 'TrackProcess.quorum',
  'track_process|vrrp_track_process quorum_max': 'TrackProcess.quorumMax',
  'track_process|vrrp_track_process fork_delay': 'TrackProcess.forkDelay',
  'track_process|vrrp_track_process terminate_delay': 'TrackProcess.terminateDelay',
  'track_process|vrrp_track_process delay': 'TrackProcess.forkDelay TrackProcess.terminateDelay',
  'track_process|vrrp_track_process full_command': 'TrackProcess.fullCommand',
  // BFD sessions run in a worker thread of the daemon (actors/daemon/worker-bfd-host.ts); track_bfd follows them (test/sim/bfd-tracking.test.ts).
  bfd_instance: 'Config.bfdInstances',
  'bfd_instance neighbor_ip|neighbour_ip': 'BfdInstance.neighborIp',
  'bfd_instance source_ip': 'BfdInstance.sourceIp',
  'bfd_instance min_rx': 'BfdInstance.minRx',
  'bfd_instance min_tx': 'BfdInstance.minTx',
  'bfd_instance idle_tx': 'BfdInstance.idleTx',
  'bfd_instance multiplier': 'BfdInstance.multiplier',
  'bfd_instance passive': 'BfdInstance.passive',
  'bfd_instance ttl|hoplimit': 'BfdInstance.ttl',
  'bfd_instance max_hops': 'BfdInstance.maxHops',
  // The default weight of track_bfd lines naming the instance (finalize-vrrp.ts resolveTracks).
  'bfd_instance weight': 'TrackedByName.weight TrackedByName.reverse',
  'bfd_instance vrrp': 'BfdInstance.vrrp',
  'bfd_instance checker': 'BfdInstance.checker',
  virtual_server_group: 'Config.virtualServerGroups VirtualServerGroup.entries',
  SSL: 'Config.ssl',
  'SSL password': 'SslContext.password',
  'SSL ca': 'SslContext.ca',
  'SSL certificate': 'SslContext.certificate',
  'SSL key': 'SslContext.key',

  // global_defs: most are defaults of the instances' own keywords
  'global_defs default_interface': 'GlobalDefs.defaultInterface',
  // net.ipv4.igmp_link_local_mcast_reports 0 while vigil runs (actors/daemon/host-sysctls.ts, test/daemon/host-sysctls.test.ts).
  'global_defs disable_local_igmp': 'GlobalDefs.disableLocalIgmp',
  // Each advertisement for a VRID unknown on its interface logged (test/actors/log-unknown-vrids.test.ts).
  'global_defs log_unknown_vrids': 'GlobalDefs.logUnknownVrids',
  // A missing VRRP interface is waited for in FAULT (actors/daemon/host-setup.ts, test/daemon/dynamic-interfaces.test.ts).
  'global_defs dynamic_interfaces': 'GlobalDefs.dynamicInterfaces',
  // SO_RCVBUF of the VRRP socket as keepalived sizes it (actors/vrrp/receive-buffer.ts, test/real/receive-buffer.test.ts).
  'global_defs vrrp_rx_bufs_policy': 'GlobalDefs.vrrpRxBufsPolicy',
  'global_defs vrrp_rx_bufs_multiplier': 'GlobalDefs.vrrpRxBufsMultiplier',
  // The VRRP side's netlink sockets, SO_RCVBUF or SO_RCVBUFFORCE (actors/daemon/netlink-buffers.ts, test/daemon/netlink-buffers.test.ts).
  'global_defs vrrp_netlink_cmd_rcv_bufs': 'GlobalDefs.vrrpNetlinkCmdRcvBufs',
  'global_defs vrrp_netlink_cmd_rcv_bufs_force': 'GlobalDefs.vrrpNetlinkCmdRcvBufsForce',
  'global_defs vrrp_netlink_monitor_rcv_bufs': 'GlobalDefs.vrrpNetlinkMonitorRcvBufs',
  'global_defs vrrp_netlink_monitor_rcv_bufs_force': 'GlobalDefs.vrrpNetlinkMonitorRcvBufsForce',
  // SO_RCVBUFFORCE on the process events socket (transport/real/proc-connector.ts, test/real/receive-buffer.test.ts).
  'global_defs process_monitor_rcv_bufs_force': 'GlobalDefs.processMonitorRcvBufsForce',
  'global_defs vmac_prefix': 'GlobalDefs.vmacPrefix',
  'global_defs vmac_addr_prefix': 'GlobalDefs.vmacAddrPrefix',
  'global_defs process_monitor_rcv_bufs': 'GlobalDefs.processMonitorRcvBufs',
  'global_defs lvs_backend': 'GlobalDefs.lvsBackend',
  // vigil's own: the TUN device of announce_table's routes (actors/announce/node-announcements.ts).
  'global_defs announce_device': 'GlobalDefs.announceDevice',
  'global_defs lvs_timeouts': 'GlobalDefs.lvsTimeouts',
  'global_defs lvs_flush': 'GlobalDefs.lvsFlush',
  'global_defs lvs_flush_on_stop|lvs_flush_onstop': 'GlobalDefs.lvsFlushOnStop',
  'global_defs lvs_sync_daemon': 'GlobalDefs.lvsSyncDaemon',
  // E-mail alerts (actors/mail/): test/actors/mail-alerts.test.ts, test/daemon/email-alerts.test.ts, and the
  // byte-for-byte comparison with keepalived in test/daemon/email-keepalived.test.ts.
  // Also routerId in KEEPALIVED-MIB and in every SNMP notification (the host name when not given).
  'global_defs router_id': 'GlobalDefs.routerId',
  'global_defs notification_email': 'GlobalDefs.notificationEmail',
  'global_defs notification_email_from': 'GlobalDefs.notificationEmailFrom',
  'global_defs smtp_server': 'GlobalDefs.smtpServer',
  'global_defs smtp_helo_name': 'GlobalDefs.smtpHeloName',
  'global_defs smtp_connect_timeout': 'GlobalDefs.smtpConnectTimeout',
  'global_defs smtp_alert': 'GlobalDefs.smtpAlert VrrpInstance.smtpAlert RealServer.smtpAlert VirtualServer.smtpAlert',
  'global_defs smtp_alert_vrrp': 'GlobalDefs.smtpAlertVrrp VrrpInstance.smtpAlert',
  'global_defs smtp_alert_checker': 'RealServer.smtpAlert VirtualServer.smtpAlert',
  'global_defs no_email_faults': 'GlobalDefs.noEmailFaults',
  'global_defs no_checker_emails': 'GlobalDefs.noCheckerEmails',
  'global_defs vrrp_garp_master_delay': 'VrrpInstance.garpMasterDelay',
  'global_defs vrrp_garp_master_repeat': 'VrrpInstance.garpMasterRepeat',
  'global_defs vrrp_garp_master_refresh': 'VrrpInstance.garpMasterRefresh',
  'global_defs vrrp_garp_interval': 'GlobalDefs.vrrpGarpInterval',
  'global_defs vrrp_gna_interval': 'GlobalDefs.vrrpGnaInterval',
  'global_defs vrrp_lower_prio_no_advert': 'VrrpInstance.lowerPrioNoAdvert',
  'global_defs vrrp_garp_master_refresh_repeat': 'VrrpInstance.garpMasterRefreshRepeat',
  'global_defs vrrp_garp_lower_prio_delay': 'VrrpInstance.garpLowerPrioDelay',
  'global_defs vrrp_garp_lower_prio_repeat': 'VrrpInstance.garpLowerPrioRepeat',
  'global_defs vrrp_down_timer_adverts': 'VrrpInstance.downTimerAdverts',
  // finalize-vrrp.ts globalGarp: keepalived's GARP defaults still in place become one announcement, no repeat.
  'global_defs vrrp_min_garp': { test: 'test/sim/timing-keywords.test.ts' },
  'global_defs vrrp_garp_extra_if|vrrp_vmac_garp_intvl': 'VrrpInstance.garpExtraIf',
  'global_defs vrrp_higher_prio_send_advert': 'VrrpInstance.higherPrioSendAdvert',
  'global_defs vrrp_startup_delay': 'GlobalDefs.vrrpStartupDelay',
  'global_defs vrrp_version': 'VrrpInstance.version',
  'global_defs vrrp_mcast_group4|vrrp_mcast_group6': 'VrrpInstance.mcastDstIp',
  'global_defs vrrp_check_unicast_src': 'VrrpInstance.checkUnicastSrc',
  'global_defs vrrp_skip_check_adv_addr': 'VrrpInstance.skipCheckAdvAddr',
  'global_defs vrrp_priority': 'GlobalDefs.vrrpPriority',
  'global_defs vrrp_rt_priority': 'GlobalDefs.vrrpRtPriority',
  'global_defs vrrp_rlimit_rttime|vrrp_rlimit_rtime': 'GlobalDefs.vrrpRlimitRttime',
  'global_defs checker_priority': 'GlobalDefs.checkerPriority',
  'global_defs checker_log_all_failures': 'GlobalDefs.checkerLogAllFailures',
  // Real servers alive at start (on a reload: the new ones) get their UP notification then (actors/lvs/node-checks.ts).
  'global_defs rs_init_notifies': 'GlobalDefs.rsInitNotifies',
  'global_defs checker_rt_priority': 'GlobalDefs.checkerRtPriority',
  'global_defs checker_rlimit_rttime|checker_rlimit_rtime': 'GlobalDefs.checkerRlimitRttime',
  'global_defs notify_fifo': 'GlobalDefs.notifyFifo',
  'global_defs vrrp_notify_fifo': 'GlobalDefs.vrrpNotifyFifo',
  'global_defs lvs_notify_fifo': 'GlobalDefs.lvsNotifyFifo',
  // Scripts are judged at run time by config test's own code (config/script-files.ts, actors/scripts/).
  'global_defs script_user': { test: 'test/daemon/script-security.test.ts' },
  'global_defs enable_script_security': 'GlobalDefs.enableScriptSecurity',
  'global_defs startup_script': 'GlobalDefs.startupScript',
  'global_defs startup_script_timeout': 'GlobalDefs.startupScriptTimeout',
  'global_defs shutdown_script': 'GlobalDefs.shutdownScript',
  'global_defs shutdown_script_timeout': 'GlobalDefs.shutdownScriptTimeout',
  'global_defs notify_fifo_script': 'GlobalDefs.notifyFifoScript',
  'global_defs vrrp_notify_fifo_script': 'GlobalDefs.vrrpNotifyFifoScript',
  'global_defs lvs_notify_fifo_script': 'GlobalDefs.lvsNotifyFifoScript',
  'global_defs vrrp_notify_priority_changes': 'GlobalDefs.vrrpNotifyPriorityChanges',
  'global_defs fifo_write_vrrp_states_on_reload': 'GlobalDefs.fifoWriteVrrpStatesOnReload',
  // Strict mode's effects on the instance are finalize-vrrp.ts's; at run time, its receive checks and the VIP firewall.
  // Strict mode acts through the settings finalize-vrrp.ts decides for it (accept, lower_prio_no_advert, …); its
  // receive checks are keepalived 2.2.7's in every mode (protocol/receive-checks.ts).
  'global_defs vrrp_strict': 'VrrpInstance.accept VrrpInstance.lowerPrioNoAdvert',
  // The VIP firewall's nftables table (transport/real/nft-vip-firewall.ts).
  'global_defs nftables': 'GlobalDefs.nftables',
  'global_defs nftables_priority': 'GlobalDefs.nftablesPriority',
  'global_defs nftables_counters': 'GlobalDefs.nftablesCounters',
  'global_defs nftables_ifindex': 'GlobalDefs.nftablesIfindex',
  // Virtual server groups of addresses as IPVS fwmark services, marked by an nftables table (actors/checks/group-fwmarks.ts).
  'global_defs nftables_ipvs': 'GlobalDefs.nftablesIpvs',
  'global_defs nftables_ipvs_priority': 'GlobalDefs.nftablesIpvsPriority',
  'global_defs nftables_ipvs_start_fwmark': 'GlobalDefs.nftablesIpvsStartFwmark',
  // This host has no iptables (nor keepalived's build ipsets): both mean the nftables firewall, with a warning.
  'global_defs vrrp_iptables': { test: 'test/daemon/vip-firewall.test.ts' },
  // Process-level keywords (actors/daemon/process-control.ts, process-names.ts), judged from /proc on a real vigil.
  'global_defs umask': { test: 'test/daemon/process-keywords.test.ts' },
  'global_defs vrrp_process_name': { test: 'test/daemon/process-keywords.test.ts' },
  'global_defs vrrp_cpu_affinity': { test: 'test/daemon/process-keywords.test.ts' },
  'global_defs data_use_instance': { test: 'test/daemon/process-keywords.test.ts' },
  // The VRRP thread is vigil's main thread: process_name names it unless vrrp_process_name does.
  'global_defs process_names': { test: 'test/daemon/scheduling.test.ts' },
  'global_defs process_name': { test: 'test/daemon/scheduling.test.ts' },
  'global_defs checker_process_name|lvs_process_name': { test: 'test/daemon/scheduling.test.ts' },
  'global_defs checker_cpu_affinity': { test: 'test/daemon/scheduling.test.ts' },
  // The BFD worker thread's scheduling (actors/bfd/bfd-scheduling.ts, applied in actors/daemon/bfd-worker.ts).
  'global_defs bfd_priority': { test: 'test/daemon/bfd-scheduling.test.ts' },
  'global_defs bfd_rt_priority': { test: 'test/daemon/bfd-scheduling.test.ts' },
  'global_defs bfd_rlimit_rttime|bfd_rlimit_rtime': { test: 'test/daemon/bfd-scheduling.test.ts' },
  'global_defs bfd_cpu_affinity': { test: 'test/real/bfd-worker-scheduling.test.ts' },
  'global_defs bfd_process_name': { test: 'test/real/bfd-worker-scheduling.test.ts' },
  // Seeds ${_RANDOM} from its line on (config/reader.ts), as keepalived.conf(5) says.
  'global_defs random_seed': { test: 'test/config/reader.test.ts' },
  // reload_file there while a reload reads the files; reload_check_config: the reading's verdict in its log file
  // (a configuration with errors is refused whether or not it is set: vigil reads it whole before applying it).
  'global_defs reload_file': { test: 'test/daemon/reload-files.test.ts' },
  'global_defs reload_check_config': { test: 'test/daemon/reload-files.test.ts' },
  // A reload at the time the file names (transport/real/reload-time-file.ts); a real vigil's in process-keywords.
  'global_defs reload_time_file': { test: 'test/daemon/process-keywords.test.ts' },
  'global_defs reload_repeat': { test: 'test/real/reload-time-file.test.ts' },
  // Each configuration read, rendered, and the data dumps before and after each reload (process-control.ts).
  'global_defs config_save_dir': { test: 'test/daemon/reload-files.test.ts' },
  // Applied by the reader to the includes after it (config/include-check.ts), saved and restored per file.
  'global_defs include_check': { test: 'test/config/reader.test.ts' },
  // Watched on the VRRP thread's and the checker thread's clocks (transport/real/auto-priority.ts).
  'global_defs max_auto_priority': { test: 'test/daemon/process-keywords.test.ts' },
  'global_defs min_auto_priority_delay': { test: 'test/real/auto-priority.test.ts' },
  'global_defs vrrp_ipsets': { test: 'test/config/vip-firewall-settings.test.ts' },
  // SNMP: vigil is an AgentX subagent serving KEEPALIVED-MIB's global and vrrp subtrees (observe/snmp/).
  'global_defs enable_snmp_vrrp|enable_snmp_keepalived': { test: 'test/real/snmp-keepalived-differential.test.ts' },
  'global_defs snmp_socket': { test: 'test/real/snmp-keepalived-differential.test.ts' },
  'global_defs enable_traps': { test: 'test/real/snmp-keepalived-differential.test.ts' },
  // KEEPALIVED-MIB's check subtree (observe/snmp/keepalived-check-mib.ts), its traps (check-traps.ts) and writable
  // realServerWeight (check-mib-write.ts), walked on a live nftables virtual server; snmp_name its virtualServerName / realServerName.
  'global_defs enable_snmp_checker': { test: 'test/real/snmp-checker.test.ts' },
  'virtual_server snmp_name': { test: 'test/observe/snmp-checker.test.ts' },
  'virtual_server real_server snmp_name': { test: 'test/observe/snmp-checker.test.ts' },
  // VRRP-MIB (RFC 2787) and its vrrpTrapNewMaster (observe/snmp/vrrp-mib.ts).
  'global_defs enable_snmp_rfcv2': { test: 'test/real/snmp-keepalived-differential.test.ts' },
  // DBus: org.keepalived.Vrrp1 on the system bus (observe/dbus/), compared with keepalived's in the differential test.
  'global_defs enable_dbus': { test: 'test/real/dbus-keepalived-differential.test.ts' },
  'global_defs dbus_service_name': { test: 'test/real/dbus-service.test.ts' },
  // VRRPV3-MIB (RFC 6527) and its vrrpv3NewMaster / vrrpv3ProtoError (observe/snmp/vrrpv3-mib.ts); enable_snmp_rfc is both.
  'global_defs enable_snmp_rfcv3|enable_snmp_rfc': { test: 'test/real/snmp-keepalived-differential.test.ts' },

  // vrrp_sync_group
  vrrp_sync_group: 'Config.vrrpSyncGroups',
  'vrrp_sync_group group': 'VrrpSyncGroup.group',
  'vrrp_sync_group notify_master': 'VrrpSyncGroup.notifyMaster',
  'vrrp_sync_group notify_backup': 'VrrpSyncGroup.notifyBackup',
  'vrrp_sync_group notify_fault': 'VrrpSyncGroup.notifyFault',
  'vrrp_sync_group notify_stop': 'VrrpSyncGroup.notifyStop',
  'vrrp_sync_group notify': 'VrrpSyncGroup.notify',
  'vrrp_sync_group notify_priority_changes': 'VrrpSyncGroup.notifyPriorityChanges',
  'vrrp_sync_group smtp_alert': 'VrrpSyncGroup.smtpAlert',
  // The group's own tracking reaches every member (actors/vrrp/group-tracking.ts).
  'vrrp_sync_group track_interface': 'VrrpSyncGroup.trackInterfaces TrackedByName.weight TrackedByName.reverse',
  'vrrp_sync_group track_script': 'VrrpSyncGroup.trackScripts TrackedByName.weight TrackedByName.reverse',
  'vrrp_sync_group track_file': 'VrrpSyncGroup.trackFiles TrackedByName.weight TrackedByName.reverse',
  'vrrp_sync_group track_process': 'VrrpSyncGroup.trackProcesses TrackedByName.weight TrackedByName.reverse',
  'vrrp_sync_group track_bfd': 'VrrpSyncGroup.trackBfds TrackedByName.weight TrackedByName.reverse',
  // Both keep the members' own tracking weights (config/finalize-tracking.ts takes them as keepalived does otherwise).
  'vrrp_sync_group global_tracking': { test: 'test/sim/sync-group-tracking.test.ts' },
  'vrrp_sync_group sync_group_tracking_weight': { test: 'test/sim/sync-group-tracking.test.ts' },

  // vrrp_instance
  vrrp_instance: 'Config.vrrpInstances',
  // MASTER alone means priority 255 (and nopreempt / preempt_delay give way to it): finalize-vrrp.ts.
  'vrrp_instance state': 'VrrpInstance.priority VrrpInstance.nopreempt VrrpInstance.preemptDelaySeconds',
  'vrrp_instance interface': 'VrrpInstance.interface',
  'vrrp_instance virtual_router_id': 'VrrpInstance.virtualRouterId',
  'vrrp_instance priority': 'VrrpInstance.priority',
  'vrrp_instance advert_int': 'VrrpInstance.advertIntervalCs',
  'vrrp_instance version': 'VrrpInstance.version',
  'vrrp_instance native_ipv6': 'VrrpInstance.family VrrpInstance.version',
  'vrrp_instance nopreempt|preempt': 'VrrpInstance.nopreempt',
  'vrrp_instance preempt_delay': 'VrrpInstance.preemptDelaySeconds',
  'vrrp_instance authentication': 'VrrpInstance.authentication',
  'vrrp_instance authentication auth_type': 'Authentication.type',
  'vrrp_instance authentication auth_pass': 'Authentication.password',
  'vrrp_instance virtual_ipaddress': 'VrrpInstance.virtualIpAddresses IpAddress.address IpAddress.dev IpAddress.scope IpAddress.label IpAddress.broadcast IpAddress.peer IpAddress.home IpAddress.nodad IpAddress.mngtmpaddr IpAddress.noprefixroute IpAddress.autojoin IpAddress.noTrack IpAddress.preferredLft IpAddress.useVmac',
  'vrrp_instance virtual_ipaddress_excluded': 'VrrpInstance.excludedVirtualIpAddresses',
  'vrrp_instance virtual_routes': 'VrrpInstance.virtualRoutes Route.kernel',
  'vrrp_instance virtual_rules': 'VrrpInstance.virtualRules Rule.kernel',
  'vrrp_instance unicast_src_ip|mcast_src_ip': 'VrrpInstance.unicastSrcIp',
  'vrrp_instance unicast_peer': 'VrrpInstance.unicastPeers UnicastPeer.address UnicastPeer.minTtl UnicastPeer.maxTtl',
  'vrrp_instance mcast_dst_ip': 'VrrpInstance.mcastDstIp',
  'vrrp_instance unicast_ttl': 'VrrpInstance.unicastTtl',
  'vrrp_instance unicast_fault_no_peer': 'VrrpInstance.unicastFaultNoPeer',
  'vrrp_instance check_unicast_src': 'VrrpInstance.checkUnicastSrc',
  'vrrp_instance skip_check_adv_addr': 'VrrpInstance.skipCheckAdvAddr',
  // The group in the pseudo-header; `never`: no switch to it (test/actors/old-unicast-checksum.test.ts).
  'vrrp_instance old_unicast_checksum': 'VrrpInstance.oldUnicastChecksum VrrpInstance.oldUnicastChecksumNever',
  'vrrp_instance track_interface': 'VrrpInstance.trackInterfaces TrackedByName.weight',
  'vrrp_instance track_script': 'VrrpInstance.trackScripts TrackedByName.weight',
  'vrrp_instance track_file': 'VrrpInstance.trackFiles TrackedByName.weight',
  'vrrp_instance track_process': 'VrrpInstance.trackProcesses TrackedByName.weight',
  'vrrp_instance track_bfd': 'VrrpInstance.trackBfds TrackedByName.weight TrackedByName.reverse',
  'vrrp_instance use_vmac': 'VrrpInstance.useVmac',
  'vrrp_instance use_vmac_addr': 'VrrpInstance.useVmacAddr',
  'vrrp_instance use_ipvlan': 'VrrpInstance.useIpvlan',
  'vrrp_instance vmac_xmit_base': 'VrrpInstance.vmacXmitBase',
  'vrrp_instance debug': { noop: 'keepalived.conf(5): "Debug level, not implemented yet"' },
  // keepalived drops traffic to the addresses only with no_accept or vrrp_strict (which wins over accept with VRRPv2).
  'vrrp_instance accept|no_accept': 'VrrpInstance.accept',
  'vrrp_instance strict_mode': 'VrrpInstance.accept VrrpInstance.lowerPrioNoAdvert',
  'vrrp_instance notify_master': 'VrrpInstance.notifyMaster',
  'vrrp_instance notify_backup': 'VrrpInstance.notifyBackup',
  'vrrp_instance notify_fault': 'VrrpInstance.notifyFault',
  'vrrp_instance notify_stop': 'VrrpInstance.notifyStop',
  'vrrp_instance notify': 'VrrpInstance.notify',
  'vrrp_instance smtp_alert': 'VrrpInstance.smtpAlert',
  'vrrp_instance notify_master_rx_lower_pri': 'VrrpInstance.notifyMasterRxLowerPri',
  'vrrp_instance notify_deleted': 'VrrpInstance.notifyDeleted',
  'vrrp_instance notify_priority_changes': 'VrrpInstance.notifyPriorityChanges',
  'vrrp_instance garp_master_delay': 'VrrpInstance.garpMasterDelay',
  'vrrp_instance garp_master_repeat': 'VrrpInstance.garpMasterRepeat',
  'vrrp_instance garp_master_refresh': 'VrrpInstance.garpMasterRefresh',
  'vrrp_instance lower_prio_no_advert': 'VrrpInstance.lowerPrioNoAdvert',
  'vrrp_instance dont_track_primary': 'VrrpInstance.dontTrackPrimary',
  'vrrp_instance track_src_ip': 'VrrpInstance.trackSrcIp',
  'vrrp_instance linkbeat_use_polling': 'VrrpInstance.linkbeatUsePolling',
  // net.ipv4.conf.IF.promote_secondaries 1 while vigil runs (actors/daemon/host-sysctls.ts, test/daemon/host-sysctls.test.ts).
  'vrrp_instance promote_secondaries': 'VrrpInstance.promoteSecondaries',
  'vrrp_instance kernel_rx_buf_size': 'VrrpInstance.kernelRxBufSize',
  // vigil's extension: host routes of the VIPs in a table a BGP speaker exports while MASTER (actors/announce/).
  'vrrp_instance announce_table': 'VrrpInstance.announceTable',
  'vrrp_instance garp_master_refresh_repeat': 'VrrpInstance.garpMasterRefreshRepeat',
  'vrrp_instance garp_lower_prio_delay': 'VrrpInstance.garpLowerPrioDelay',
  'vrrp_instance garp_lower_prio_repeat': 'VrrpInstance.garpLowerPrioRepeat',
  'vrrp_instance garp_extra_if|vmac_garp_intvl': 'VrrpInstance.garpExtraIf',
  'vrrp_instance down_timer_adverts': 'VrrpInstance.downTimerAdverts',
  'vrrp_instance higher_prio_send_advert': 'VrrpInstance.higherPrioSendAdvert',
  // finalize-lvs.ts turns it into global_defs lvs_sync_daemon IF NAME, as keepalived does.
  'vrrp_instance lvs_sync_daemon_interface': { test: 'test/actors/lvs-sync-daemon.test.ts' },

  // virtual_server and real_server
  [VS]: 'Config.virtualServers VirtualServer.address',
  [`${VS} smtp_alert`]: 'VirtualServer.smtpAlert',
  [`${RS} smtp_alert`]: 'RealServer.smtpAlert',
  [`${VS} retry`]: 'CheckerTiming.retry',
  [`${VS} delay_before_retry`]: 'CheckerTiming.delayBeforeRetry',
  [`${VS} warmup`]: 'CheckerTiming.warmup',
  [`${VS} connect_timeout`]: 'CheckerConnection.connectTimeout',
  [`${VS} delay_loop`]: 'CheckerTiming.delayLoop FileChecker.delayLoop',
  [`${VS} inhibit_on_failure`]: 'RealServer.inhibitOnFailure',
  [`${VS} alpha`]: 'CheckerTiming.alpha',
  [`${VS} virtualhost`]: 'HttpChecker.virtualhost',
  [`${VS} ip_family`]: 'VirtualServer.family',
  [`${VS} lb_algo|lvs_sched`]: 'VirtualServer.lbAlgo',
  [`${VS} lb_kind|lvs_method`]: 'RealServer.forwarding Forwarding.method Forwarding.tunnelType Forwarding.tunnelPort Forwarding.tunnelChecksum',
  [`${VS} ops|flag-1|flag-2|flag-3|sh-port|sh-fallback|mh-port|mh-fallback`]: 'VirtualServer.schedulerFlags',
  [`${VS} hashed`]: { noop: 'keepalived 2.2.7 sets no flag for it (only sh-port / sh-fallback / mh-… under sh and mh); the kernel marks every service hashed itself' },
  [`${VS} persistence_engine`]: 'VirtualServer.persistenceEngine',
  [`${VS} persistence_timeout`]: 'VirtualServer.persistenceTimeout',
  [`${VS} persistence_granularity`]: 'VirtualServer.persistenceGranularity',
  [`${VS} protocol`]: 'VirtualServer.protocol',
  [`${VS} ha_suspend`]: 'VirtualServer.haSuspend',
  // vigil's extension: a host route of each address in a table a BGP speaker exports while the quorum is up.
  [`${VS} announce_table`]: 'VirtualServer.announceTable',
  [`${VS} omega`]: 'VirtualServer.omega',
  [`${VS} quorum`]: 'VirtualServer.quorum',
  [`${VS} hysteresis`]: 'VirtualServer.hysteresis',
  [`${VS} quorum_up`]: 'VirtualServer.quorumUp Script.command',
  [`${VS} quorum_down`]: 'VirtualServer.quorumDown Script.command',
  [`${VS} weight`]: 'RealServer.weight',
  [`${VS} sorry_server`]: 'VirtualServer.sorryServer SorryServer.ip SorryServer.port',
  [`${VS} sorry_server_inhibit`]: 'SorryServer.inhibit',
  [`${VS} sorry_server_lvs_method`]: 'SorryServer.forwarding',
  [RS]: 'VirtualServer.realServers RealServer.ip RealServer.port',
  [`${RS} retry`]: 'CheckerTiming.retry',
  [`${RS} delay_before_retry`]: 'CheckerTiming.delayBeforeRetry',
  [`${RS} warmup`]: 'CheckerTiming.warmup FileChecker.warmup',
  [`${RS} connect_timeout`]: 'CheckerConnection.connectTimeout',
  [`${RS} delay_loop`]: 'CheckerTiming.delayLoop FileChecker.delayLoop',
  [`${RS} inhibit_on_failure`]: 'RealServer.inhibitOnFailure',
  [`${RS} alpha`]: 'CheckerTiming.alpha',
  [`${RS} virtualhost`]: 'HttpChecker.virtualhost',
  [`${RS} weight`]: 'RealServer.weight',
  [`${RS} lvs_method`]: 'RealServer.forwarding Forwarding.method Forwarding.tunnelType Forwarding.tunnelPort Forwarding.tunnelChecksum',
  [`${RS} uthreshold`]: 'RealServer.uthreshold',
  [`${RS} lthreshold`]: 'RealServer.lthreshold',
  [`${RS} notify_up`]: 'RealServer.notifyUp Script.command',
  [`${RS} notify_down`]: 'RealServer.notifyDown Script.command',

  // Checkers
  [`${RS} ${CONNECTING}|MISC_CHECK|FILE_CHECK`]: 'RealServer.checkers Checker.type',
  [`${RS} ${CONNECTING} connect_ip`]: 'CheckerConnection.connectIp',
  [`${RS} ${CONNECTING} connect_port`]: 'CheckerConnection.connectPort',
  [`${RS} ${CONNECTING} bindto`]: 'CheckerConnection.bindTo',
  [`${RS} ${CONNECTING} bind_port`]: 'CheckerConnection.bindPort',
  [`${RS} ${CONNECTING} connect_timeout`]: 'CheckerConnection.connectTimeout',
  // SO_BINDTODEVICE and SO_MARK on the checker's socket (transport/real/probers/checker-socket.ts).
  [`${RS} ${CONNECTING} bind_if`]: 'CheckerConnection.bindIf',
  [`${RS} ${CONNECTING} fwmark`]: 'CheckerConnection.fwmark',
  [`${RS} ${TIMED} retry`]: 'CheckerTiming.retry',
  [`${RS} ${TIMED} delay_before_retry`]: 'CheckerTiming.delayBeforeRetry',
  [`${RS} ${TIMED} warmup`]: 'CheckerTiming.warmup',
  [`${RS} ${TIMED} delay_loop`]: 'CheckerTiming.delayLoop',
  [`${RS} ${TIMED} alpha`]: 'CheckerTiming.alpha',
  // Each failed check while up is logged (actors/lvs/node-checks.ts), not only the one that takes it down.
  [`${RS} ${TIMED} log_all_failures`]: 'TcpChecker.logAllFailures',
  [`${HTTP} nb_get_retry`]: 'CheckerTiming.retry',
  [`${HTTP} virtualhost`]: 'HttpChecker.virtualhost',
  [`${HTTP} http_protocol`]: 'HttpChecker.httpProtocol',
  [`${HTTP} enable_sni`]: 'HttpChecker.enableSni',
  // Without it a DOWN checker's success is confirmed N urls × delay_loop later (machines/checker-logic.ts).
  [`${HTTP} fast_recovery`]: 'HttpChecker.fastRecovery',
  [`${HTTP} url`]: 'HttpChecker.urls',
  [`${HTTP} url path`]: 'HttpUrl.path',
  [`${HTTP} url digest`]: 'HttpUrl.digest',
  [`${HTTP} url status_code`]: 'HttpUrl.statusCodes',
  [`${HTTP} url virtualhost`]: 'HttpUrl.virtualhost',
  [`${HTTP} url regex`]: 'HttpUrl.regex',
  [`${HTTP} url regex_no_match`]: 'HttpUrl.regexNoMatch',
  // caseless, dotall, multiline, utf become JavaScript flags; options without effect on a match are accepted; the
  // others are listed in not-implemented.ts (protocol/http-body-regex.ts).
  [`${HTTP} url regex_options`]: 'HttpUrl.regexOptions',
  [`${HTTP} url regex_min_offset`]: 'HttpUrl.regexMinOffset',
  [`${HTTP} url regex_max_offset`]: 'HttpUrl.regexMaxOffset',
  [`${HTTP} url regex_stack`]: {
    noop: "it sizes PCRE2's JIT stack; V8's regular expressions grow their backtracking stack as needed, so a pattern that needs a larger one still runs",
  },
  [`${RS} SMTP_CHECK helo_name`]: 'SmtpChecker.heloName',
  [`${RS} SMTP_CHECK host`]: 'SmtpChecker.hosts',
  [`${RS} SMTP_CHECK host connect_ip`]: 'CheckerConnection.connectIp',
  [`${RS} SMTP_CHECK host connect_port`]: 'CheckerConnection.connectPort',
  [`${RS} SMTP_CHECK host bindto`]: 'CheckerConnection.bindTo',
  [`${RS} SMTP_CHECK host bind_port`]: 'CheckerConnection.bindPort',
  [`${RS} SMTP_CHECK host connect_timeout`]: 'CheckerConnection.connectTimeout',
  [`${RS} SMTP_CHECK host bind_if`]: 'CheckerConnection.bindIf',
  [`${RS} SMTP_CHECK host fwmark`]: 'CheckerConnection.fwmark',
  [`${RS} DNS_CHECK type`]: 'DnsChecker.queryType',
  [`${RS} DNS_CHECK name`]: 'DnsChecker.name',
  [`${RS} UDP_CHECK payload`]: 'UdpChecker.payload',
  [`${RS} UDP_CHECK require_reply`]: 'UdpChecker.requireReply',
  [`${RS} UDP_CHECK min_reply_length`]: 'UdpChecker.minReplyLength',
  [`${RS} UDP_CHECK max_reply_length`]: 'UdpChecker.maxReplyLength',
  [`${RS} MISC_CHECK misc_path`]: 'MiscChecker.miscPath',
  [`${RS} MISC_CHECK misc_timeout`]: 'MiscChecker.miscTimeout',
  [`${RS} MISC_CHECK misc_dynamic`]: 'MiscChecker.miscDynamic',
  [`${RS} MISC_CHECK user`]: 'MiscChecker.user MiscChecker.group',
  [`${RS} FILE_CHECK track_file`]: 'FileChecker.trackFile',
  [`${RS} FILE_CHECK weight`]: 'FileChecker.weight FileChecker.weightReverse',
  [`${RS} FILE_CHECK dynamic`]: { noop: "keepalived 2.2.7's parser has no such keyword (check/check_file.c): it warns and ignores it; so does vigil" },
  // The real server follows a BFD session (actors/lvs/health-checks.ts; test/sim/bfd-check.test.ts).
  [`${RS} BFD_CHECK`]: 'RealServer.checkers Checker.type',
  [`${RS} BFD_CHECK name`]: 'BfdChecker.name',
  [`${RS} BFD_CHECK alpha`]: 'BfdChecker.alpha',
};
