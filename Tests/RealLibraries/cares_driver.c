/* c-ares driver: a channel kept live at exit with what c-ares holds in its own allocations:
 * servers (ares_set_servers_csv), a sortlist, a parsed hosts file, a query cache, queued DNS
 * queries to a loopback UDP socket of the driver's that never answers (no network needed), getaddrinfo results
 * answered from the hosts file, and DNS records built, written, parsed back and parsed by the
 * legacy ares_parse_*_reply functions, none freed.  argv[1]: a directory for the hosts file and
 * resolv.conf the channel reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "ares.h"

#define HOSTS 400
#define QUERIES 300
#define RECORDS 60

static int found, answered;
static struct ares_addrinfo *results[HOSTS];
static ares_dns_record_t *records[RECORDS], *parsed[RECORDS];
static unsigned char *wires[RECORDS];
static struct hostent *hostents[RECORDS];
static struct ares_mx_reply *mx[RECORDS];
static struct ares_txt_ext *txt[RECORDS];

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	(void)timeouts;
	answered++;
	if (status == ARES_SUCCESS && res != NULL && res->nodes != NULL) {
		results[(size_t)arg] = res; /* kept */
		found++;
	}
}

static void on_query(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *rec)
{
	(void)arg; (void)status; (void)timeouts; (void)rec;
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	char hosts[4096], resolv[4096];
	snprintf(hosts, sizeof hosts, "%s/hosts", argv[1]);
	snprintf(resolv, sizeof resolv, "%s/resolv.conf", argv[1]);
	FILE *f = fopen(hosts, "w");
	if (f == NULL) return 2;
	fprintf(f, "127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
	for (int i = 0; i < HOSTS; i++)
		fprintf(f, "10.%d.%d.%d host%d.example.test host%d alias%d.example.test\n", i / 65536, i / 256 % 256, i % 256, i, i, i);
	fclose(f);
	f = fopen(resolv, "w");
	if (f == NULL) return 2;
	fprintf(f, "nameserver 127.0.0.1\nsearch example.test corp.example.test\noptions ndots:1 timeout:30 attempts:2\n");
	fclose(f);

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) return 1;
	struct ares_options opts;
	memset(&opts, 0, sizeof opts);
	opts.lookups = "fb";
	opts.resolvconf_path = resolv;
	opts.hosts_path = hosts;
	opts.qcache_max_ttl = 3600;
	opts.timeout = 30000;
	opts.tries = 2;
	ares_channel_t *channel = NULL;
	int mask = ARES_OPT_LOOKUPS | ARES_OPT_RESOLVCONF | ARES_OPT_HOSTS_FILE | ARES_OPT_QUERY_CACHE | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	if (ares_init_options(&channel, &opts, mask) != ARES_SUCCESS) return 1;
	/* The server: a bound loopback UDP socket never read (a closed port would refuse the
	 * second send and fail the queries). */
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin;
	socklen_t sinlen = sizeof sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sin, sizeof sin) != 0 || getsockname(sock, (struct sockaddr *)&sin, &sinlen) != 0) return 2;
	char csv[128];
	snprintf(csv, sizeof csv, "127.0.0.1:%d", ntohs(sin.sin_port));
	int servers = ares_set_servers_csv(channel, csv);
	int sortlist = ares_set_sortlist(channel, "10.0.0.0/255.255.0.0 10.1.0.0/16 127.0.0.0/8 192.168.0.0/255.255.255.0");

	/* Names in the hosts file: answered at once by the "f" lookup, results kept. */
	struct ares_addrinfo_hints hints;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_CANONNAME;
	char name[256];
	for (size_t i = 0; i < HOSTS; i++) {
		snprintf(name, sizeof name, i % 2 ? "host%zu.example.test" : "alias%zu.example.test", i);
		ares_getaddrinfo(channel, name, "80", &hints, on_addrinfo, (void *)i);
	}

	/* Names nowhere: queued DNS queries waiting on the closed ports. */
	for (int i = 0; i < QUERIES; i++) {
		snprintf(name, sizeof name, "missing%d.example.test", i);
		ares_query_dnsrec(channel, name, ARES_CLASS_IN, i % 3 ? ARES_REC_TYPE_A : ARES_REC_TYPE_TXT, on_query, NULL, NULL);
	}
	for (int i = 0; i < QUERIES / 4; i++) {
		snprintf(name, sizeof name, "nowhere%d", i);
		ares_getaddrinfo(channel, name, NULL, &hints, on_addrinfo, (void *)0);
	}
	size_t queued = ares_queue_active_queries(channel);

	/* DNS records: built, written to wire format, parsed back and by the legacy parsers. */
	int parsed_ok = 0;
	for (int r = 0; r < RECORDS; r++) {
		ares_dns_record_t *rec = NULL;
		ares_dns_rr_t *rr = NULL;
		int kind = r % 3;
		ares_dns_rec_type_t type = kind == 0 ? ARES_REC_TYPE_A : kind == 1 ? ARES_REC_TYPE_MX : ARES_REC_TYPE_TXT;
		snprintf(name, sizeof name, "zone%d.example.test", r);
		if (ares_dns_record_create(&rec, (unsigned short)r, ARES_FLAG_QR | ARES_FLAG_RD | ARES_FLAG_RA, ARES_OPCODE_QUERY, ARES_RCODE_NOERROR) != ARES_SUCCESS) return 1;
		ares_dns_record_query_add(rec, name, type, ARES_CLASS_IN);
		for (int k = 0; k < 20; k++) {
			ares_dns_record_rr_add(&rr, rec, ARES_SECTION_ANSWER, name, type, ARES_CLASS_IN, 300);
			if (kind == 0) {
				struct in_addr a;
				a.s_addr = htonl(0x0a000000u | (unsigned)(r * 256 + k));
				ares_dns_rr_set_addr(rr, ARES_RR_A_ADDR, &a);
			} else if (kind == 1) {
				char ex[64];
				snprintf(ex, sizeof ex, "mx%d.zone%d.example.test", k, r);
				ares_dns_rr_set_u16(rr, ARES_RR_MX_PREFERENCE, (unsigned short)(10 * k));
				ares_dns_rr_set_str(rr, ARES_RR_MX_EXCHANGE, ex);
			} else {
				char text[128];
				int n = snprintf(text, sizeof text, "v=spf1 include:_spf%d.zone%d.example.test ~all", k, r);
				ares_dns_rr_add_abin(rr, ARES_RR_TXT_DATA, (const unsigned char *)text, (size_t)n);
			}
		}
		records[r] = rec;
		unsigned char *wire = NULL;
		size_t len = 0;
		if (ares_dns_write(rec, &wire, &len) != ARES_SUCCESS) return 1;
		if (ares_dns_parse(wire, len, 0, &parsed[r]) == ARES_SUCCESS) parsed_ok++;
		hostents[r] = NULL; mx[r] = NULL; txt[r] = NULL;
		if (kind == 0) {
			struct ares_addrttl ttls[32];
			int nttls = 32;
			parsed_ok += ares_parse_a_reply(wire, (int)len, &hostents[r], ttls, &nttls) == ARES_SUCCESS;
		} else if (kind == 1) {
			parsed_ok += ares_parse_mx_reply(wire, (int)len, &mx[r]) == ARES_SUCCESS;
		} else {
			parsed_ok += ares_parse_txt_reply_ext(wire, (int)len, &txt[r]) == ARES_SUCCESS;
		}
		wires[r] = wire; /* kept too */
	}

	printf("servers=%d sortlist=%d found=%d of %d answered=%d queued=%zu parsed=%d of %d\n",
	       servers, sortlist, found, HOSTS, answered, queued, parsed_ok, 2 * RECORDS);
	return 0; /* the channel is not destroyed: its allocations are live in the report */
}
