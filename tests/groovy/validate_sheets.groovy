// Driver for tests: run lib/SamplesheetValidator.groovy on sheets given as arguments
// (`<schema> <checkFiles:true|false> <sheet>...`) and print one JSON object per sheet.
import groovy.json.JsonOutput
def schema = args[0]
def check = args[1] == 'true'
args.drop(2).each { sheet ->
    def res = SamplesheetValidator.validate(sheet, schema, check)
    println JsonOutput.toJson([sheet: sheet, problems: res.problems, rows: res.rows,
                               csv: res.problems ? '' : SamplesheetValidator.toCsv(res.rows)])
}
