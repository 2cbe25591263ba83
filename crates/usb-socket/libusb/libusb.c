/*
 * A test libusb-1.0 for pcscd + libccid: the subset of libusb's API that libccid 1.5 calls
 * (its src/ccid_usb.c), over the Unix socket of crates/usb-socket (framing: src/wire.rs).
 *
 * Loaded into pcscd with LD_LIBRARY_PATH in place of the system's libusb-1.0.so.0; the
 * driver itself is the unmodified libccid of the Debian package. The socket is named by
 * OPENPGP_CARD_USB_SOCKET. One device (bus 1, address 1) when the socket answers, none
 * otherwise. The device is enumerated as a host does it (USB 2.0 §9.1.2): GET_DESCRIPTOR
 * (device), SET_ADDRESS, GET_DESCRIPTOR (configuration), SET_CONFIGURATION; the descriptors
 * libusb hands out are parsed from what the device sent. A device that goes away (the
 * connection closes) is looked for again at the next transfer: a new device on the socket
 * is a re-plug, and until one is there every transfer fails with LIBUSB_ERROR_IO.
 * OPENPGP_CARD_USB_WAIT_MS makes the first device list wait that long for a device.
 *
 * Test code: for a test that runs pcscd in namespaces of its own, never for a real machine.
 * OPENPGP_CARD_USB_DEBUG=1 logs every transfer on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

/* libusb.h 1.0.26's public types, as its ABI has them (Linux, x86_64 and others). */
enum libusb_error {
    LIBUSB_SUCCESS = 0,
    LIBUSB_ERROR_IO = -1,
    LIBUSB_ERROR_INVALID_PARAM = -2,
    LIBUSB_ERROR_ACCESS = -3,
    LIBUSB_ERROR_NO_DEVICE = -4,
    LIBUSB_ERROR_NOT_FOUND = -5,
    LIBUSB_ERROR_BUSY = -6,
    LIBUSB_ERROR_TIMEOUT = -7,
    LIBUSB_ERROR_OVERFLOW = -8,
    LIBUSB_ERROR_PIPE = -9,
    LIBUSB_ERROR_INTERRUPTED = -10,
    LIBUSB_ERROR_NO_MEM = -11,
    LIBUSB_ERROR_NOT_SUPPORTED = -12,
    LIBUSB_ERROR_OTHER = -99,
};

enum libusb_transfer_status {
    LIBUSB_TRANSFER_COMPLETED,
    LIBUSB_TRANSFER_ERROR,
    LIBUSB_TRANSFER_TIMED_OUT,
    LIBUSB_TRANSFER_CANCELLED,
    LIBUSB_TRANSFER_STALL,
    LIBUSB_TRANSFER_NO_DEVICE,
    LIBUSB_TRANSFER_OVERFLOW,
};

struct libusb_device_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint16_t bcdUSB;
    uint8_t bDeviceClass;
    uint8_t bDeviceSubClass;
    uint8_t bDeviceProtocol;
    uint8_t bMaxPacketSize0;
    uint16_t idVendor;
    uint16_t idProduct;
    uint16_t bcdDevice;
    uint8_t iManufacturer;
    uint8_t iProduct;
    uint8_t iSerialNumber;
    uint8_t bNumConfigurations;
};

struct libusb_endpoint_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint8_t bEndpointAddress;
    uint8_t bmAttributes;
    uint16_t wMaxPacketSize;
    uint8_t bInterval;
    uint8_t bRefresh;
    uint8_t bSynchAddress;
    const unsigned char *extra;
    int extra_length;
};

struct libusb_interface_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint8_t bInterfaceNumber;
    uint8_t bAlternateSetting;
    uint8_t bNumEndpoints;
    uint8_t bInterfaceClass;
    uint8_t bInterfaceSubClass;
    uint8_t bInterfaceProtocol;
    uint8_t iInterface;
    const struct libusb_endpoint_descriptor *endpoint;
    const unsigned char *extra;
    int extra_length;
};

struct libusb_interface {
    const struct libusb_interface_descriptor *altsetting;
    int num_altsetting;
};

struct libusb_config_descriptor {
    uint8_t bLength;
    uint8_t bDescriptorType;
    uint16_t wTotalLength;
    uint8_t bNumInterfaces;
    uint8_t bConfigurationValue;
    uint8_t iConfiguration;
    uint8_t bmAttributes;
    uint8_t MaxPower;
    const struct libusb_interface *interface;
    const unsigned char *extra;
    int extra_length;
};

struct libusb_transfer;
typedef void (*libusb_transfer_cb_fn)(struct libusb_transfer *transfer);

struct libusb_iso_packet_descriptor {
    unsigned int length;
    unsigned int actual_length;
    enum libusb_transfer_status status;
};

struct libusb_device_handle;

struct libusb_transfer {
    struct libusb_device_handle *dev_handle;
    uint8_t flags;
    unsigned char endpoint;
    unsigned char type;
    unsigned int timeout;
    enum libusb_transfer_status status;
    int length;
    int actual_length;
    libusb_transfer_cb_fn callback;
    void *user_data;
    unsigned char *buffer;
    int num_iso_packets;
    struct libusb_iso_packet_descriptor iso_packet_desc[];
};

/* Ours: opaque to the caller. */
struct libusb_context {
    int unused;
};
struct libusb_device {
    int refs;
};
struct libusb_device_handle {
    struct libusb_device *dev;
};

/* The one device and its connection. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int sock = -1;
static struct libusb_device the_device;
static unsigned char device_desc[18];
static unsigned char *config_desc;
static int config_len;
static int debug;

/* Submitted asynchronous transfers (libccid's interrupt endpoint), completed by the event
 * functions. */
#define MAX_PENDING 8
static struct libusb_transfer *pending[MAX_PENDING];
static int cancelled[MAX_PENDING];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    if (!debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "test-libusb: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void disconnect(void)
{
    if (sock >= 0)
        close(sock);
    sock = -1;
}

/* One request and its reply (src/wire.rs). Returns the libusb status; *actual gets the
 * bytes moved. Called with `lock` held. */
static int exchange(uint8_t kind, uint8_t endpoint, const unsigned char setup[8],
                    unsigned char *data, uint32_t length, int is_in, unsigned int timeout,
                    int *actual)
{
    unsigned char header[20] = {0};
    unsigned char reply[8];
    int32_t status;
    uint32_t n;

    *actual = 0;
    if (sock < 0)
        return LIBUSB_ERROR_IO;
    header[0] = kind;
    header[1] = endpoint;
    memcpy(header + 4, &length, 4);
    memcpy(header + 8, &timeout, 4);
    if (setup)
        memcpy(header + 12, setup, 8);
    if (write_all(sock, header, sizeof header) || (!is_in && length && write_all(sock, data, length))
        || read_all(sock, reply, sizeof reply)) {
        logf_("the device went away");
        disconnect();
        return LIBUSB_ERROR_IO;
    }
    memcpy(&status, reply, 4);
    memcpy(&n, reply + 4, 4);
    if (n > length) {
        logf_("the device sent %u bytes for %u", n, length);
        disconnect();
        return LIBUSB_ERROR_IO;
    }
    if (n && read_all(sock, data, n)) {
        disconnect();
        return LIBUSB_ERROR_IO;
    }
    *actual = is_in ? (int)n : (status == 0 ? (int)length : 0);
    logf_("kind %u ep %02X len %u timeout %u: status %d, %d bytes", kind, endpoint, length,
          timeout, status, *actual);
    return status;
}

static int control(uint8_t request_type, uint8_t request, uint16_t value, uint16_t index,
                   unsigned char *data, uint16_t length, unsigned int timeout)
{
    unsigned char setup[8] = {request_type, request, (uint8_t)value, (uint8_t)(value >> 8),
                              (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)length,
                              (uint8_t)(length >> 8)};
    int actual;
    int r = exchange(1, 0, setup, data, length, request_type & 0x80, timeout, &actual);
    return r < 0 ? r : actual;
}

/* Connects and enumerates, if not connected. Called with `lock` held. */
static int attach(void)
{
    const char *path = getenv("OPENPGP_CARD_USB_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    unsigned char head[9];
    int r, total;

    if (sock >= 0)
        return 0;
    if (!path || strlen(path) >= sizeof addr.sun_path)
        return LIBUSB_ERROR_NOT_FOUND;
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return LIBUSB_ERROR_IO;
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
        disconnect();
        return LIBUSB_ERROR_NOT_FOUND;
    }
    /* USB 2.0 §9.1.2: the device descriptor, an address, the configuration, configured. */
    r = control(0x80, 6, 0x0100, 0, device_desc, sizeof device_desc, 1000);
    if (r != (int)sizeof device_desc)
        goto fail;
    if (control(0x00, 5, 1, 0, NULL, 0, 1000) < 0)
        goto fail;
    r = control(0x80, 6, 0x0200, 0, head, sizeof head, 1000);
    if (r != (int)sizeof head)
        goto fail;
    total = head[2] | head[3] << 8;
    free(config_desc);
    config_desc = malloc((size_t)total);
    if (!config_desc)
        goto fail;
    r = control(0x80, 6, 0x0200, 0, config_desc, (uint16_t)total, 1000);
    if (r != total)
        goto fail;
    config_len = total;
    if (control(0x00, 9, head[5], 0, NULL, 0, 1000) < 0)
        goto fail;
    logf_("attached %04X:%04X, configuration of %d bytes", device_desc[8] | device_desc[9] << 8,
          device_desc[10] | device_desc[11] << 8, total);
    return 0;
fail:
    logf_("enumeration failed");
    disconnect();
    return LIBUSB_ERROR_IO;
}

/* ---- Initialisation and the device list ---- */

API int libusb_init(struct libusb_context **ctx)
{
    debug = getenv("OPENPGP_CARD_USB_DEBUG") != NULL;
    if (ctx) {
        *ctx = calloc(1, sizeof **ctx);
        if (!*ctx)
            return LIBUSB_ERROR_NO_MEM;
    }
    return 0;
}

API void libusb_exit(struct libusb_context *ctx)
{
    free(ctx);
}

API ssize_t libusb_get_device_list(struct libusb_context *ctx, struct libusb_device ***list)
{
    (void)ctx;
    struct libusb_device **devices = calloc(2, sizeof *devices);
    ssize_t count = 0;
    if (!devices)
        return LIBUSB_ERROR_NO_MEM;
    /* The first list may wait for the device to be plugged in (OPENPGP_CARD_USB_WAIT_MS): a
     * test starts pcscd before its first device, and pcscd opens a static reader once. */
    static int waited;
    const char *wait = getenv("OPENPGP_CARD_USB_WAIT_MS");
    long left = (!waited && wait) ? strtol(wait, NULL, 10) : 0;
    waited = 1;
    for (;;) {
        pthread_mutex_lock(&lock);
        int r = attach();
        pthread_mutex_unlock(&lock);
        if (r == 0) {
            devices[count++] = &the_device;
            break;
        }
        if (left <= 0)
            break;
        usleep(50000);
        left -= 50;
    }
    *list = devices;
    return count;
}

API void libusb_free_device_list(struct libusb_device **list, int unref_devices)
{
    (void)unref_devices;
    free(list);
}

API uint8_t libusb_get_bus_number(struct libusb_device *dev)
{
    (void)dev;
    return 1;
}

API uint8_t libusb_get_device_address(struct libusb_device *dev)
{
    (void)dev;
    return 1;
}

API int libusb_get_device_descriptor(struct libusb_device *dev,
                                     struct libusb_device_descriptor *desc)
{
    (void)dev;
    const unsigned char *d = device_desc;
    pthread_mutex_lock(&lock);
    desc->bLength = d[0];
    desc->bDescriptorType = d[1];
    desc->bcdUSB = (uint16_t)(d[2] | d[3] << 8);
    desc->bDeviceClass = d[4];
    desc->bDeviceSubClass = d[5];
    desc->bDeviceProtocol = d[6];
    desc->bMaxPacketSize0 = d[7];
    desc->idVendor = (uint16_t)(d[8] | d[9] << 8);
    desc->idProduct = (uint16_t)(d[10] | d[11] << 8);
    desc->bcdDevice = (uint16_t)(d[12] | d[13] << 8);
    desc->iManufacturer = d[14];
    desc->iProduct = d[15];
    desc->iSerialNumber = d[16];
    desc->bNumConfigurations = d[17];
    pthread_mutex_unlock(&lock);
    return 0;
}

/* Parses the configuration descriptor (USB 2.0 §9.6.3-9.6.6): each interface's first
 * alternate setting, its endpoints, and the class-specific bytes between the interface
 * descriptor and its first endpoint as the interface's `extra` (the CCID class descriptor,
 * CCID 1.1 §5.1). One allocation, freed by libusb_free_config_descriptor. */
API int libusb_get_active_config_descriptor(struct libusb_device *dev,
                                            struct libusb_config_descriptor **out)
{
    (void)dev;
    int r = LIBUSB_ERROR_IO;
    pthread_mutex_lock(&lock);
    const unsigned char *c = config_desc;
    int len = config_len;
    if (!c || len < 9)
        goto done;
    int interfaces = 0, endpoints = 0;
    for (int i = 0; i + 1 < len && c[i] >= 2; i += c[i]) {
        if (c[i + 1] == 4 && i + 9 <= len && c[i + 3] == 0)
            interfaces++;
        if (c[i + 1] == 5)
            endpoints++;
    }
    size_t size = sizeof(struct libusb_config_descriptor)
                  + (size_t)interfaces * (sizeof(struct libusb_interface)
                                          + sizeof(struct libusb_interface_descriptor))
                  + (size_t)endpoints * sizeof(struct libusb_endpoint_descriptor) + (size_t)len;
    unsigned char *block = calloc(1, size);
    if (!block) {
        r = LIBUSB_ERROR_NO_MEM;
        goto done;
    }
    struct libusb_config_descriptor *config = (void *)block;
    struct libusb_interface *ifaces = (void *)(config + 1);
    struct libusb_interface_descriptor *alts = (void *)(ifaces + interfaces);
    struct libusb_endpoint_descriptor *eps = (void *)(alts + interfaces);
    unsigned char *raw = (void *)(eps + endpoints);
    memcpy(raw, c, (size_t)len);
    config->bLength = raw[0];
    config->bDescriptorType = raw[1];
    config->wTotalLength = (uint16_t)(raw[2] | raw[3] << 8);
    config->bNumInterfaces = (uint8_t)interfaces;
    config->bConfigurationValue = raw[5];
    config->iConfiguration = raw[6];
    config->bmAttributes = raw[7];
    config->MaxPower = raw[8];
    config->interface = ifaces;
    struct libusb_interface_descriptor *alt = NULL;
    int n_if = 0, n_ep = 0, skipping = 0;
    for (int i = raw[0]; i + 1 < len && raw[i] >= 2 && i + raw[i] <= len; i += raw[i]) {
        const unsigned char *d = raw + i;
        if (d[1] == 4 && d[0] >= 9) {
            skipping = d[3] != 0; /* alternate settings other than 0 are left out */
            if (skipping)
                continue;
            alt = &alts[n_if];
            ifaces[n_if].altsetting = alt;
            ifaces[n_if].num_altsetting = 1;
            n_if++;
            alt->bLength = d[0];
            alt->bDescriptorType = d[1];
            alt->bInterfaceNumber = d[2];
            alt->bAlternateSetting = d[3];
            alt->bNumEndpoints = 0;
            alt->bInterfaceClass = d[5];
            alt->bInterfaceSubClass = d[6];
            alt->bInterfaceProtocol = d[7];
            alt->iInterface = d[8];
            alt->endpoint = &eps[n_ep];
        } else if (d[1] == 5 && d[0] >= 7 && alt && !skipping) {
            struct libusb_endpoint_descriptor *ep = &eps[n_ep++];
            ep->bLength = d[0];
            ep->bDescriptorType = d[1];
            ep->bEndpointAddress = d[2];
            ep->bmAttributes = d[3];
            ep->wMaxPacketSize = (uint16_t)(d[4] | d[5] << 8);
            ep->bInterval = d[6];
            alt->bNumEndpoints++;
        } else if (alt && !skipping && alt->bNumEndpoints == 0) {
            /* Class-specific descriptors of the interface, before its endpoints. */
            if (!alt->extra)
                alt->extra = d;
            alt->extra_length += d[0];
        }
    }
    *out = config;
    r = 0;
done:
    pthread_mutex_unlock(&lock);
    return r;
}

API void libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
    free(config);
}

/* ---- Handles ---- */

API int libusb_open(struct libusb_device *dev, struct libusb_device_handle **handle)
{
    *handle = calloc(1, sizeof **handle);
    if (!*handle)
        return LIBUSB_ERROR_NO_MEM;
    (*handle)->dev = dev;
    return 0;
}

API void libusb_close(struct libusb_device_handle *handle)
{
    free(handle);
}

API int libusb_claim_interface(struct libusb_device_handle *handle, int number)
{
    (void)handle;
    (void)number;
    return 0;
}

API int libusb_release_interface(struct libusb_device_handle *handle, int number)
{
    (void)handle;
    (void)number;
    return 0;
}

API int libusb_set_configuration(struct libusb_device_handle *handle, int configuration)
{
    (void)handle;
    pthread_mutex_lock(&lock);
    int r = attach();
    if (r == 0)
        r = control(0x00, 9, (uint16_t)configuration, 0, NULL, 0, 1000);
    pthread_mutex_unlock(&lock);
    return r < 0 ? r : 0;
}

/* A port reset (USB 2.0 §7.1.7.5), then the address and configuration again. */
API int libusb_reset_device(struct libusb_device_handle *handle)
{
    (void)handle;
    int actual, r;
    pthread_mutex_lock(&lock);
    r = attach();
    if (r == 0)
        r = exchange(3, 0, NULL, NULL, 0, 0, 0, &actual);
    if (r == 0)
        r = control(0x00, 5, 1, 0, NULL, 0, 1000);
    if (r >= 0)
        r = control(0x00, 9, config_desc ? config_desc[5] : 1, 0, NULL, 0, 1000);
    pthread_mutex_unlock(&lock);
    return r < 0 ? r : 0;
}

/* ---- Synchronous transfers ---- */

API int libusb_control_transfer(struct libusb_device_handle *handle, uint8_t request_type,
                                uint8_t request, uint16_t value, uint16_t index,
                                unsigned char *data, uint16_t length, unsigned int timeout)
{
    (void)handle;
    pthread_mutex_lock(&lock);
    int r = attach();
    if (r == 0)
        r = control(request_type, request, value, index, data, length, timeout);
    pthread_mutex_unlock(&lock);
    return r;
}

static int data_transfer(unsigned char endpoint, unsigned char *data, int length,
                         int *transferred, unsigned int timeout)
{
    int actual = 0;
    if (length < 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&lock);
    int r = attach();
    if (r == 0)
        r = exchange(2, endpoint, NULL, data, (uint32_t)length, endpoint & 0x80, timeout, &actual);
    pthread_mutex_unlock(&lock);
    if (transferred)
        *transferred = actual;
    return r;
}

API int libusb_bulk_transfer(struct libusb_device_handle *handle, unsigned char endpoint,
                             unsigned char *data, int length, int *transferred,
                             unsigned int timeout)
{
    (void)handle;
    return data_transfer(endpoint, data, length, transferred, timeout);
}

API int libusb_interrupt_transfer(struct libusb_device_handle *handle, unsigned char endpoint,
                                  unsigned char *data, int length, int *transferred,
                                  unsigned int timeout)
{
    (void)handle;
    return data_transfer(endpoint, data, length, transferred, timeout);
}

API int libusb_get_string_descriptor_ascii(struct libusb_device_handle *handle,
                                           uint8_t index, unsigned char *data, int length)
{
    (void)handle;
    unsigned char buf[255];
    int r;
    if (index == 0 || length <= 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&lock);
    r = attach();
    if (r == 0)
        r = control(0x80, 6, 0x0300, 0, buf, sizeof buf, 1000); /* the languages */
    if (r >= 4) {
        uint16_t lang = (uint16_t)(buf[2] | buf[3] << 8);
        r = control(0x80, 6, (uint16_t)(0x0300 | index), lang, buf, sizeof buf, 1000);
    } else if (r >= 0) {
        r = LIBUSB_ERROR_IO;
    }
    pthread_mutex_unlock(&lock);
    if (r < 0)
        return r;
    if (r < 2 || buf[1] != 3)
        return LIBUSB_ERROR_IO;
    int n = 0;
    for (int i = 2; i + 1 < r && i < buf[0] && n < length - 1; i += 2)
        data[n++] = (buf[i + 1] == 0 && buf[i] < 0x80) ? buf[i] : '?';
    data[n] = 0;
    return n;
}

/* ---- Asynchronous transfers (libccid: the interrupt endpoint) ---- */

API struct libusb_transfer *libusb_alloc_transfer(int iso_packets)
{
    size_t size = sizeof(struct libusb_transfer)
                  + (size_t)(iso_packets > 0 ? iso_packets : 0)
                        * sizeof(struct libusb_iso_packet_descriptor);
    return calloc(1, size);
}

API void libusb_free_transfer(struct libusb_transfer *transfer)
{
    free(transfer);
}

API int libusb_submit_transfer(struct libusb_transfer *transfer)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!pending[i]) {
            pending[i] = transfer;
            cancelled[i] = 0;
            pthread_mutex_unlock(&lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return LIBUSB_ERROR_BUSY;
}

API int libusb_cancel_transfer(struct libusb_transfer *transfer)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pending[i] == transfer) {
            cancelled[i] = 1;
            pthread_mutex_unlock(&lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return LIBUSB_ERROR_NOT_FOUND;
}

/* Runs the first pending transfer for up to 100 ms, and completes it (its callback) when it
 * finished, failed, timed out or was cancelled. */
API int libusb_handle_events_completed(struct libusb_context *ctx, int *completed)
{
    (void)ctx;
    struct libusb_transfer *t = NULL;
    int slot = -1, was_cancelled = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PENDING && !t; i++) {
        if (pending[i]) {
            t = pending[i];
            slot = i;
            was_cancelled = cancelled[i];
        }
    }
    pthread_mutex_unlock(&lock);
    if (!t) {
        usleep(10000);
        return 0;
    }
    if (was_cancelled) {
        t->status = LIBUSB_TRANSFER_CANCELLED;
    } else {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int actual = 0;
        int r = data_transfer(t->endpoint, t->buffer, t->length, &actual, 100);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (r == LIBUSB_ERROR_TIMEOUT && (t->timeout == 0 || t->timeout > 100)) {
            if (t->timeout)
                t->timeout -= 100;
            return 0; /* still pending */
        }
        t->actual_length = actual;
        t->status = r == 0                       ? LIBUSB_TRANSFER_COMPLETED
                    : r == LIBUSB_ERROR_TIMEOUT  ? LIBUSB_TRANSFER_TIMED_OUT
                    : r == LIBUSB_ERROR_PIPE     ? LIBUSB_TRANSFER_STALL
                    : r == LIBUSB_ERROR_OVERFLOW ? LIBUSB_TRANSFER_OVERFLOW
                                                 : LIBUSB_TRANSFER_ERROR;
    }
    pthread_mutex_lock(&lock);
    pending[slot] = NULL;
    pthread_mutex_unlock(&lock);
    if (t->callback)
        t->callback(t);
    (void)completed;
    return 0;
}

API int libusb_handle_events(struct libusb_context *ctx)
{
    return libusb_handle_events_completed(ctx, NULL);
}

API const char *libusb_error_name(int code)
{
    switch (code) {
    case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED";
    case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
    case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
    case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
    case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
    case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
    case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
    case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
    case LIBUSB_ERROR_INTERRUPTED: return "LIBUSB_ERROR_INTERRUPTED";
    case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
    default: return "LIBUSB_ERROR_OTHER";
    }
}
