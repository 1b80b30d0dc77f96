import { describe, expect, it } from 'vitest';
import { isJobLine, sparkFailure } from '@/lib/spark/spark-engine';
import { propertiesText, submitCommand } from '@/lib/spark/submit-command';

const base = { root: '/pkg', master: 'local[2]', localDir: '/tmp/x/local', propertiesFile: '/tmp/x/spark.properties', driverMemory: '4g' };

describe('spark-submit command', () => {
  it('runs the job from the venv with its Python, UTC and the store path', () => {
    const c = submitCommand({ ...base, storeLocation: '/data/store', models: ['a', 'b'], env: { PATH: '/usr/bin' } });
    expect(c.command).toBe('/pkg/.cache/spark/venv/bin/spark-submit');
    expect(c.args).toEqual(['--master', 'local[2]', '--driver-memory', '4g', '--properties-file', '/tmp/x/spark.properties', '/pkg/jobs/spark/profile.py', '--store', '/data/store', '--model', 'a', '--model', 'b']);
    expect(c.env).toMatchObject({ PYSPARK_PYTHON: '/pkg/.cache/spark/venv/bin/python', PYSPARK_DRIVER_PYTHON: '/pkg/.cache/spark/venv/bin/python', PATH: '/usr/bin' });
    expect(c.properties).toMatchObject({ 'spark.sql.session.timeZone': 'UTC', 'spark.ui.enabled': 'false', 'spark.local.dir': '/tmp/x/local' });
    expect(Object.keys(c.properties).some((k) => k.includes('s3a'))).toBe(false);
  });

  it('passes an s3:// store as s3a:// with the endpoint (path-style) and keys of the S3 client, not on the command line', () => {
    const env = { DRIFTWATCH_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'SECRET', AWS_REGION: 'eu-west-1' };
    const c = submitCommand({ ...base, storeLocation: 's3://my-bucket/team/store', input: ['s3a://lake/preds/'], env });
    expect(c.args.slice(c.args.indexOf('--store'))).toEqual(['--store', 's3a://my-bucket/team/store', '--input', 's3a://lake/preds/']);
    expect(c.properties).toMatchObject({
      'spark.hadoop.fs.s3a.endpoint': 'http://127.0.0.1:9000',
      'spark.hadoop.fs.s3a.path.style.access': 'true',
      'spark.hadoop.fs.s3a.connection.ssl.enabled': 'false',
      'spark.hadoop.fs.s3a.endpoint.region': 'eu-west-1',
      'spark.hadoop.fs.s3a.access.key': 'AKID',
      'spark.hadoop.fs.s3a.secret.key': 'SECRET',
    });
    expect(c.args.join(' ')).not.toMatch(/SECRET|AKID/);
    expect(submitCommand({ ...base, storeLocation: 's3://my-bucket', env: {} }).args).toContain('s3a://my-bucket');
  });

  it('sets shuffle partitions to twice the cores of a local master, leaves a cluster\'s alone', () => {
    const partitions = (master: string) => submitCommand({ ...base, master, storeLocation: '/s', env: {} }).properties['spark.sql.shuffle.partitions'];
    expect(partitions('local[2]')).toBe('4');
    expect(partitions('local[1]')).toBe('2');
    expect(partitions('local')).toBe('2');
    expect(partitions('local[3,2]')).toBe('6');
    expect(Number(partitions('local[*]'))).toBeGreaterThanOrEqual(2);
    expect(partitions('yarn')).toBeUndefined();
    expect(partitions('spark://h:7077')).toBeUndefined();
  });

  it('adds packages (the hadoop-aws jar) from DRIFTWATCH_SPARK_PACKAGES', () => {
    const c = submitCommand({ ...base, storeLocation: 's3://my-bucket/p', env: { DRIFTWATCH_SPARK_PACKAGES: 'org.apache.hadoop:hadoop-aws:3.5.0' } });
    expect(c.properties['spark.jars.packages']).toBe('org.apache.hadoop:hadoop-aws:3.5.0');
  });

  it('uses temporary credentials with their provider', () => {
    const c = submitCommand({ ...base, storeLocation: 's3://my-bucket/p', env: { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: 'T' } });
    expect(c.properties['spark.hadoop.fs.s3a.session.token']).toBe('T');
    expect(c.properties['spark.hadoop.fs.s3a.aws.credentials.provider']).toBe('org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider');
    expect(c.properties['spark.hadoop.fs.s3a.endpoint']).toBeUndefined();
  });

  it('rejects a bad bucket as the S3 client does', () => {
    expect(() => submitCommand({ ...base, storeLocation: 's3://B', env: {} })).toThrow(/bucket name/);
  });

  it('writes a Java properties file with its special characters escaped', () => {
    expect(propertiesText({ 'a.b': 'x=y:z', 'c': 'C:\\dir\nnext' })).toBe('a.b=x\\=y\\:z\nc=C\\:\\\\dir\\nnext\n');
  });
});

describe('the job output', () => {
  it('forwards the job lines, not Spark log', () => {
    expect(isJobLine('spark: day 3/30 2026-01-03')).toBe(true);
    expect(isJobLine('25/12/07 13:40:01 WARN NativeCodeLoader: Unable to load native-hadoop library')).toBe(false);
    expect(isJobLine('ValueError: bad input')).toBe(true);
  });

  it('maps exit codes to one line', () => {
    expect(sparkFailure({ exitCode: 0, stderr: '' })).toBeUndefined();
    expect(sparkFailure({ exitCode: 2, stderr: 'WARN x\nspark: --store is required' })).toEqual({ message: 'the Spark job rejected its arguments: spark: --store is required', exitCode: 2 });
    expect(sparkFailure({ exitCode: 1, stderr: 'spark: day 1/2\nspark: error: models/m/raw/predictions/day=2026-01-01/x.parquet is damaged\nINFO shutdown' })).toEqual({ message: 'the Spark job failed (exit 1): spark: error: models/m/raw/predictions/day=2026-01-01/x.parquet is damaged', exitCode: 1 });
    expect(sparkFailure({ exitCode: 1, stderr: 'java.lang.OutOfMemoryError: Java heap space' })?.message).toMatch(/ran out of memory.*DRIFTWATCH_SPARK_DRIVER_MEMORY/);
  });
});
