/** Runs the `nft` program without a shell: arguments by execFile, rule text on standard input. */
import { execFile } from 'node:child_process';

export interface NftResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface NftRunner {
  /** `nft ARGS…` with `stdin` written to its standard input; rejects with nft's message on a non-zero exit. */
  run(args: readonly string[], stdin?: string): Promise<NftResult>;
}

export interface ExecNftRunnerOptions {
  /** Path of the nft binary (default `nft`, found on PATH). */
  readonly nft?: string;
  /** Run inside this named network namespace (`ip netns exec NS nft …`): tests and benchmarks. */
  readonly netns?: string;
}

export class NftError extends Error {
  override readonly name = 'NftError';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export class ExecNftRunner implements NftRunner {
  readonly #file: string;
  readonly #prefix: readonly string[];

  constructor(options: ExecNftRunnerOptions = {}) {
    const nft = options.nft ?? 'nft';
    if (options.netns === undefined) {
      this.#file = nft;
      this.#prefix = [];
    } else {
      this.#file = 'ip';
      this.#prefix = ['netns', 'exec', options.netns, nft];
    }
  }

  run(args: readonly string[], stdin?: string): Promise<NftResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(this.#file, [...this.#prefix, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr });
        else reject(new NftError(`nft ${args.join(' ')} failed: ${stderr.trim() || error.message}`, stderr));
      });
      child.stdin?.on('error', () => {}); // nft exiting early (EPIPE) is reported through the exit status
      child.stdin?.end(stdin ?? '');
    });
  }
}
