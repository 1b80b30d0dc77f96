import { describe, expect, it } from 'vitest';
import { javaProblem, parseJavaMajor } from '@/lib/spark/java-version';

// `java -version` output (stderr) of real JDKs, verbatim.
const SAMPLES: Array<[string, number]> = [
  ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)', 17],
  ['java version "1.8.0_381"\nJava(TM) SE Runtime Environment (build 1.8.0_381-b09)\nJava HotSpot(TM) 64-Bit Server VM (build 25.381-b09, mixed mode)', 8],
  ['openjdk version "11.0.21" 2023-10-17\nOpenJDK Runtime Environment Temurin-11.0.21+9 (build 11.0.21+9)', 11],
  ['openjdk version "21" 2023-09-19\nOpenJDK Runtime Environment (build 21+35-2513)', 21],
  ['openjdk version "25-ea" 2025-09-16\nOpenJDK Runtime Environment (build 25-ea+20-2388)', 25],
  ['Picked up JAVA_TOOL_OPTIONS: -Xmx512m\nopenjdk version "17.0.9" 2023-10-17 LTS\nOpenJDK Runtime Environment Corretto-17.0.9.8.1 (build 17.0.9+8-LTS)', 17],
  ['java version "9"\nJava(TM) SE Runtime Environment (build 9+181)', 9],
];

describe('java -version parsing', () => {
  it.each(SAMPLES)('reads the major version of %j', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });

  it('finds no version in other output', () => {
    expect(parseJavaMajor('bash: java: command not found')).toBeUndefined();
    expect(parseJavaMajor('')).toBeUndefined();
  });

  it('accepts 17 and later, names JDK 17 and JAVA_HOME otherwise', () => {
    for (const [output, major] of SAMPLES) {
      const problem = javaProblem(output, 'java');
      if (major >= 17) expect(problem).toBeUndefined();
      else expect(problem).toMatch(new RegExp(`JDK 17 or later, but \`java\` is Java ${major};.*JAVA_HOME`));
    }
    expect(javaProblem(undefined, 'java')).toMatch(/needs Java \(JDK 17 or later\), but `java` was not found;.*JAVA_HOME/);
    expect(javaProblem('garbage', '/opt/jdk/bin/java (JAVA_HOME)')).toMatch(/printed no version \("garbage"\);.*JAVA_HOME/);
  });
});
