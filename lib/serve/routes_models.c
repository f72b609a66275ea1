/* Model routes: GET /api/models (every learning engine's versions, the
 * current one and the one the running pipeline loaded) and POST
 * /api/models/reload (the pipeline loads the current versions between
 * events; docs/MODELS.md). */
#include "serve/serve_int.h"

#include <string.h>

#include "hayate/config.h"
#include "hayate/engine.h"
#include "hayate/model.h"

/* models.dir of the server's config ("models" without one). */
static const char *models_dir(const hy_serve *s)
{
    const char *d = s->cfg ? hy_config_str(s->cfg, "models.dir") : NULL;
    return d && *d ? d : "models";
}

/* The version the running pipeline loaded for engine (0: none or no run). */
static unsigned loaded_version(hy_serve *s, const char *engine)
{
    hy_pipeline_live live;
    if (!s->hooks.figures)
        return 0;
    s->hooks.figures(s->hooks.ud, &live);
    for (size_t i = 0; i < live.nengines; i++)
        if (strcmp(live.engine[i].name, engine) == 0)
            return live.engine[i].model;
    return 0;
}

static void version_or_null(hy_json *j, const char *key, unsigned v)
{
    hy_json_key(j, key);
    if (v)
        hy_json_uint(j, v);
    else
        hy_json_null(j);
}

/* One engine's entry: name, summary, current, loaded, versions[manifest]. */
static hy_err engine_entry(hy_serve *s, hy_json *j, const hy_engine *e)
{
    hy_model_version *vs = NULL;
    size_t n = 0;
    unsigned cur = 0;
    hy_err rc = hy_model_list(models_dir(s), e->name, &vs, &n, &cur);
    if (rc != HY_OK)
        return rc;
    hy_json_obj_open(j);
    hy_json_kstr(j, "name", e->name);
    hy_json_kstr(j, "summary", e->summary);
    version_or_null(j, "current", cur);
    version_or_null(j, "loaded", loaded_version(s, e->name));
    hy_json_key(j, "versions");
    hy_json_arr_open(j);
    for (size_t i = 0; i < n; i++)
        hy_json_raw(j, vs[i].manifest);
    hy_json_arr_close(j);
    hy_json_obj_close(j);
    hy_model_versions_free(vs, n);
    return HY_OK;
}

hy_err hy__route_models(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {NULL};
    hy_buf b;
    hy_json j;
    hy_err rc = HY_OK;
    (void)r;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    hy_buf_init(&b, 16u << 20);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "dir", models_dir(s));
    hy_json_key(&j, "engines");
    hy_json_arr_open(&j);
    for (size_t i = 0; hy_engines[i] && rc == HY_OK; i++)
        if (hy_engines[i]->train)
            rc = engine_entry(s, &j, hy_engines[i]);
    hy_json_arr_close(&j);
    hy_json_obj_close(&j);
    if (rc == HY_OK && (rc = hy_json_finish(&j)) == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    else
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "models: %s", hy_err_detail());
    hy_buf_free(&b);
    return rc;
}

hy_err hy__route_models_reload(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {NULL};
    hy_err rc = HY_OK;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    if (r->len)
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "this resource takes no body");
    if (!s->hooks.reload)
        return hy__serve_error(s, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "this server runs no pipeline to reload");
    if ((rc = s->hooks.reload(s->hooks.ud)) == HY_ERR_NOTFOUND)
        return hy__serve_error(s, c, MHD_HTTP_CONFLICT, "%s", hy_err_detail());
    if (rc != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "reload: %s", hy_err_detail());
    static const char body[] = "{\"reloading\":true,\"note\":\"each engine loads its current "
                               "version at its next tick; GET /api/models shows loaded\"}";
    return hy__serve_reply(s, c, MHD_HTTP_ACCEPTED, "application/json", body, sizeof body - 1);
}
