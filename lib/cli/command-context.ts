/** Where a command writes: lines for people (`log`) and errors (`error`); tests capture both. */
export interface CommandContext {
  log: (line: string) => void;
  error: (line: string) => void;
}
