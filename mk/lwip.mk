# lwip.mk: lwIP, the TCP/IP stack the kernel compiles itself: Debian's source package, pinned
# and checksummed, fetched and unpacked by tools/lwip.sh into build/third_party, and built
# with the kernel's flags and the port in kernel/net/lwip (lwipopts.h, arch/cc.h, the few C
# library headers its sources include). Its objects link into the kernel (mk/kernel.mk).
LWIP_UPSTREAM := 2.1.3
LWIP_DIR := $(BUILD)/third_party/lwip-$(LWIP_UPSTREAM)
LWIP_STAMP := $(LWIP_DIR)/.unpacked
# core, IPv4 (with DHCP and ARP), IPv6 (with ND, MLD, SLAAC), Ethernet: lwIP's own Filelists.mk names the same files
LWIP_SRCS := $(addprefix src/core/, init.c def.c inet_chksum.c ip.c mem.c memp.c netif.c \
	pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix src/core/ipv4/, dhcp.c etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
	$(addprefix src/core/ipv6/, ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	src/netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(BUILD)/third_party/lwip/%.o,$(LWIP_SRCS))
LWIP_INCLUDES := -Ikernel/net/lwip -Ikernel/net/lwip/libc -I$(LWIP_DIR)/src/include
# their code, not ours: the kernel's flags less the warnings it was not written for
LWIP_CFLAGS := $(filter-out -W%,$(KERNEL_CFLAGS)) -w $(LWIP_INCLUDES)

$(LWIP_STAMP): tools/lwip.sh $(wildcard tools/lwip-patches/*.patch)
	$(Q)tools/lwip.sh $(BUILD)/third_party

# the sources come with the stamp and never change after it (a static pattern: as a plain one,
# make would chain it with its built-in link rule to remake the .d files it includes, from
# "ip.d.c", whenever the stamp is newer)
$(LWIP_OBJS): $(BUILD)/third_party/lwip/%.o: $(LWIP_STAMP) | $(DEPS_STAMP)
	$(call quiet,CC,lwip/$*.c)mkdir -p $(@D) && \
		$(GUEST_CC) $(LWIP_CFLAGS) -c -o $@ $(LWIP_DIR)/$*.c

# the kernel's own files that include lwIP's headers
LWIP_USERS := $(BUILD)/kernel/net/addr.o $(BUILD)/kernel/net/netif.o $(BUILD)/kernel/net/lwip_port.o \
	$(BUILD)/kernel/net/socket.o $(BUILD)/kernel/net/udp.o $(BUILD)/kernel/net/procnet.o \
	$(BUILD)/kernel/net/ifinfo.o
$(LWIP_USERS): KERNEL_CFLAGS += $(LWIP_INCLUDES)
$(LWIP_USERS): $(LWIP_STAMP)
