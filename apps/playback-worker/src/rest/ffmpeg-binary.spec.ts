import { resolveFfmpegBinary } from './ffmpeg-binary';

describe('resolveFfmpegBinary', () => {
  it('uses a configured path that is executable', () => {
    expect(resolveFfmpegBinary({ configured: '/usr/bin/ffmpeg' })).toEqual({ found: true, path: '/usr/bin/ffmpeg' });
  });

  it('does not replace a wrong configured path by another ffmpeg', () => {
    const missing = resolveFfmpegBinary({ configured: '/nonexistent/ffmpeg', searchPath: '/usr/bin' });
    expect(missing).toMatchObject({ found: false, reason: expect.stringContaining('/nonexistent/ffmpeg') });
    expect(resolveFfmpegBinary({ configured: __filename })).toMatchObject({ found: false }); // this spec: not executable
    expect(resolveFfmpegBinary({ configured: '/usr/bin' })).toMatchObject({ found: false }); // a directory
  });

  it('falls back to the default path, then to the search path', () => {
    expect(resolveFfmpegBinary({ defaultPath: '/usr/bin/ffmpeg' })).toEqual({ found: true, path: '/usr/bin/ffmpeg' });
    expect(resolveFfmpegBinary({ defaultPath: '/nonexistent/ffmpeg', searchPath: '/nonexistent:/usr/bin' })).toEqual({
      found: true,
      path: '/usr/bin/ffmpeg',
    });
    expect(resolveFfmpegBinary({ defaultPath: '/nonexistent/ffmpeg', searchPath: '/nonexistent::/etc' })).toMatchObject({ found: false });
  });
});
