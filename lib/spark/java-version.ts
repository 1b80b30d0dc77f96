/** Spark 4 runs on Java 17 or later. */
export const MIN_JAVA_MAJOR = 17;

/**
 * The major version from `java -version` output (it prints to stderr): `openjdk version "17.0.15"`
 * → 17, `java version "1.8.0_381"` → 8 (the old 1.x scheme), `openjdk version "21" 2023-09-19` → 21,
 * `openjdk version "25-ea"` → 25. Undefined when no version line is found.
 */
export function parseJavaMajor(output: string): number | undefined {
  const m = /\bversion\s+"(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** Why the Java found cannot run Spark, as one line saying what to do; undefined when it can. */
export function javaProblem(output: string | undefined, javaCommand: string): string | undefined {
  const fix = `install a JDK ${MIN_JAVA_MAJOR}+ (e.g. apt-get install openjdk-${MIN_JAVA_MAJOR}-jdk-headless) and put it on PATH or set JAVA_HOME to it`;
  if (output === undefined) return `the Spark engine needs Java (JDK ${MIN_JAVA_MAJOR} or later), but \`${javaCommand}\` was not found; ${fix}`;
  const major = parseJavaMajor(output);
  if (major === undefined) return `the Spark engine needs Java (JDK ${MIN_JAVA_MAJOR} or later), but \`${javaCommand} -version\` printed no version (${JSON.stringify(output.trim().split('\n')[0] ?? '')}); ${fix}`;
  if (major < MIN_JAVA_MAJOR) return `the Spark engine needs JDK ${MIN_JAVA_MAJOR} or later, but \`${javaCommand}\` is Java ${major}; ${fix}`;
  return undefined;
}
