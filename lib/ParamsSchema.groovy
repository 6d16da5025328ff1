// Parameter help and validation from nextflow_schema.json, done in the pipeline itself
// (the nf-schema plugin cannot be downloaded on offline machines).

import groovy.json.JsonSlurper

class ParamsSchema {

    static Map load(String path) {
        return (Map) new JsonSlurper().parse(new File(path))
    }

    /** Every parameter definition, in schema order: name -> [group, definition]. */
    static Map<String, List> definitions(Map schema) {
        def out = new LinkedHashMap<String, List>()
        schema['$defs'].each { String gid, Map group ->
            group.properties.each { String name, Map d -> out[name] = [group, d] }
        }
        return out
    }

    static String help(String schemaPath, String command) {
        def schema = load(schemaPath)
        def sb = new StringBuilder()
        sb << "\n${schema.title}\n${schema.description}\n\nUsage:\n  ${command}\n"
        schema['$defs'].each { String gid, Map group ->
            def visible = group.properties.findAll { k, v -> !v.hidden }
            if (!visible) return
            sb << "\n${group.title}:\n"
            def req = (group.required ?: []) as Set
            visible.each { String name, Map d ->
                def dflt = d.containsKey('default') ? " [default: ${d.default}]" : ''
                def r = req.contains(name) ? ' (required)' : ''
                def en = d.enum ? " (one of: ${d.enum.join(', ')})" : ''
                sb << String.format("  --%-20s %s%s%s%s\n", name, d.description ?: '', en, r, dflt)
            }
        }
        return sb.toString()
    }

    private static String camelToSnake(String s) {
        return s.replaceAll(/([A-Z])/, { m -> '_' + m[0].toLowerCase() })
    }

    /** Returns one message per problem (empty when all is well). */
    static List<String> validate(Map params, String schemaPath) {
        def schema = load(schemaPath)
        def defs = definitions(schema)
        def errors = []
        params.each { String k, v ->
            if (defs.containsKey(k)) return
            if (k.contains('-') && defs.containsKey(k.replace('-', '_'))) return
            if (defs.containsKey(camelToSnake(k))) return
            errors << "--${k}: unknown parameter (see --help)"
        }
        schema['$defs'].each { String gid, Map group ->
            (group.required ?: []).each { String name ->
                if (!params.containsKey(name) || params.get(name) == null || params.get(name) == '') {
                    errors << "--${name}: required parameter is missing"
                }
            }
        }
        defs.each { String name, List gd ->
            Map d = gd[1]
            if (!params.containsKey(name)) return
            def v = params.get(name)
            if (v == null) return
            switch (d.type) {
                case 'integer':
                    if (!(v instanceof Integer || v instanceof Long || (v instanceof String && v ==~ /-?\d+/))) {
                        errors << "--${name}: '${v}' is not an integer"; return
                    }
                    if (d.containsKey('minimum') && (v as long) < (d.minimum as long)) {
                        errors << "--${name}: ${v} is below the minimum ${d.minimum}"
                    }
                    break
                case 'number':
                    if (!(v instanceof Number || (v instanceof String && v.isNumber()))) {
                        errors << "--${name}: '${v}' is not a number"; return
                    }
                    if (d.containsKey('minimum') && (v as double) < (d.minimum as double)) {
                        errors << "--${name}: ${v} is below the minimum ${d.minimum}"
                    }
                    if (d.containsKey('maximum') && (v as double) > (d.maximum as double)) {
                        errors << "--${name}: ${v} is above the maximum ${d.maximum}"
                    }
                    break
                case 'boolean':
                    if (!(v instanceof Boolean)) {
                        errors << "--${name}: '${v}' is not true or false"
                    }
                    break
                case 'string':
                    if (v instanceof Boolean) {
                        errors << "--${name}: needs a value"; return
                    }
                    if (d.enum && !(v.toString() in d.enum)) {
                        errors << "--${name}: '${v}' is not one of ${d.enum.join(', ')}"
                    }
                    if (d.pattern && !(v.toString() ==~ d.pattern)) {
                        errors << "--${name}: '${v}' does not match ${d.pattern}"
                    }
                    break
            }
        }
        return errors
    }

    /**
     * -profile test points at <projectDir>/.testdata/, which is generated from a seed, not
     * shipped. When a parameter points there and the data is not complete, the one-line
     * reason and the command that makes it; null otherwise.
     */
    static String missingTestData(Map params, String projectDir) {
        def dir = new File(projectDir, '.testdata')
        if (new File(dir, '.complete').exists()) return null
        def prefix = dir.path + '/'
        def used = params.findAll { k, v -> v instanceof CharSequence && v.toString().startsWith(prefix) }
        if (!used) return null
        def name = used.keySet().first()
        return "--${name} ${used[name]}: the -profile test data is not there (it is generated, " +
               "not shipped): run `make testdata` in ${projectDir} (after `make install`), " +
               "then launch again"
    }
}
