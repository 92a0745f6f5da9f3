/* Opening a BPF object through bee (libbpf's bpf_object__open_mem under it). */
#include <bee/bee.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bee_obj *o;

	bee_set_log(BEE_LOG_ERROR, NULL, NULL);
	o = bee_obj__open_mem(data, size, "fuzz", NULL);
	bee_obj__close(o);
	return 0;
}
