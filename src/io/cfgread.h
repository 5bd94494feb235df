/* cfgread.h - the readers of configuration files for `opsbox config`: each
 * dialect (MySQL-style INI, Apache httpd, flat key=value / key value, YAML,
 * Hadoop-style XML properties) into the one list of entries src/config
 * works on. The dialect is told from the content unless given. */
#ifndef OB_CFGREAD_H
#define OB_CFGREAD_H

#include "config/config.h"

#include <stddef.h>

enum ob_cfg_format {
    OB_CFG_AUTO,
    OB_CFG_INI,
    OB_CFG_APACHE,
    OB_CFG_KEYVALUE,
    OB_CFG_YAML,
    OB_CFG_XML,
};

/* "ini", "apache", "keyvalue", "yaml", "xml" (or "auto"); -1 if none. */
int ob_cfg_format_from_name(const char *name);
const char *ob_cfg_format_name(enum ob_cfg_format f);
/* The dialect of a file's text, from its content alone. */
enum ob_cfg_format ob_cfg_detect(const char *buf, size_t len);

/* Parses buf (len bytes, the file called name) into out, which it
 * initialises; format OB_CFG_AUTO detects it. 0, or -1 with
 * "name:line: what is wrong" in err (out is then cleared). */
int ob_cfg_parse(const char *buf, size_t len, const char *name, enum ob_cfg_format format,
                 struct ob_cfg_file *out, char *err, size_t errlen);
/* The same for a file on disk. */
int ob_cfg_read_file(const char *path, enum ob_cfg_format format, struct ob_cfg_file *out,
                     char *err, size_t errlen);

/* Internal: the two readers that sit on libraries. */
int ob__cfg_parse_yaml(const char *buf, size_t len, struct ob_cfg_file *out, char *err,
                       size_t errlen);
int ob__cfg_parse_xml(const char *buf, size_t len, struct ob_cfg_file *out, char *err,
                      size_t errlen, int quiet_probe);

#endif
