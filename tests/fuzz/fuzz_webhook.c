/* fuzz_webhook.c - libFuzzer target: any bytes as an Alertmanager webhook
 * body. It is either refused with a located error, or decoded whole; a
 * decoded one then goes through the incidents and the tracker's text, as
 * the receiver would take it, twice (the second time as a repeat). */
#include "alerts/alerts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_webhook w;
    char err[512] = "";
    if (ob_webhook_decode(data, size, &w, err, sizeof err) < 0) {
        if (!err[0] || w.alerts || w.group_key)
            abort();
        return 0;
    }
    if (!w.group_key || !*w.group_key)
        abort();
    struct ob_incidents *s = ob_incidents_new(NULL);
    struct ob_events ev = {0};
    for (int round = 0; s && round < 2; round++) {
        ob_events_clear(&ev);
        if (ob_incidents_webhook(s, &w, 1000.0 + round, 42, &ev) < 0)
            abort();
        for (size_t i = 0; i < ev.n; i++) {
            const struct ob_incident *inc = ev.ev[i].incident;
            if (ev.ev[i].member != SIZE_MAX && ev.ev[i].member >= inc->nmembers)
                abort();
            free(ob_render_comment(&ev.ev[i]));
            free(ob_render_title(inc, NULL));
            free(ob_render_body(inc, NULL));
            free(ob_render_body(inc, "{{members}}{{summary}}{{group}}{{x}}{{"));
        }
        if (round == 1 && ev.n) /* the same webhook again is no news */
            abort();
    }
    ob_events_free(&ev);
    ob_incidents_free(s);
    ob_webhook_free(&w);
    return 0;
}
