/* Compiles plugin_abi.h as strict C99: the ABI header must never need C++. */
#include "ledgerbridge/plugin_abi.h"

int lb_abi_header_is_c99(void) {
    lb_plugin_api api = {0};
    api.struct_size = sizeof(api);
    return (int)api.struct_size + LB_ABI_MAJOR;
}
