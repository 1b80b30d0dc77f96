export { DUCKDB_THREADS, duckdbInstance, queryRows, withConnection } from './database';
export { columnInfo, typeClass, type ColumnInfo, type TypeClass } from './column-types';
export { ChunkColumns, isValid, streamChunks, streamRowObjects, type VarcharColumn } from './chunks';
export { DataFileError, dataFormatOf, describeDataFile, describeRelation, firstLine, openDataFile, scanSql, type DataFile, type DataFormat, type ScanOptions } from './data-source';
export { readSummaryParquet, readSummaryParquetMany, SummaryFileError, writeSummaryParquet, type SummaryReadOptions, writeSummaryParquetGroups } from './summary-parquet';
export { sqlIdent, sqlString, sqlStringList } from './sql';
export { scratchRoot, TempSpace, withTempDir, type ScratchSize } from './temp-dir';
export { evaluationParquet, EvaluationFileError, readEvaluationsOfFeature } from './evaluation-parquet';
