// Images for formatted text: uploaded by organisers as raw bytes, served to everyone with a
// year-long cache (the URL is the content's hash, so it never changes meaning).
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../../schemas/common.ts';
import { MAX_IMAGE_BYTES } from '../../services/images.ts';

const ImageView = Type.Object({
  url: Type.String(),
  sha256: Type.String(),
  type: Type.String(),
  bytes: Type.Integer(),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { images } = app.services;

  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    // The bytes are the body, whatever type the browser guessed: the content decides.
    for (const type of ['application/octet-stream', /^image\/.*/]) {
      upload.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES },
        (_req, body, done) => done(null, body),
      );
    }
    upload.post(
      '/images',
      {
        config: { access: ['organiser'], audit: { action: 'image.upload', target: 'image' } },
        bodyLimit: MAX_IMAGE_BYTES,
        schema: {
          response: { 201: Type.Object({ image: ImageView }), ...errors(400, 401, 403, 413, 415) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body)) {
          throw Object.assign(new Error('Send the image as the request body (application/octet-stream)'), {
            statusCode: 415,
            code: 'UNSUPPORTED_IMAGE',
          });
        }
        return reply.status(201).send({ image: await images.upload(request.user!, body) });
      },
    );
  });

  app.get(
    '/images/:file',
    {
      config: { access: 'public' },
      schema: {
        params: Type.Object({ file: Type.String({ maxLength: 80 }) }),
        response: { 200: Type.Unknown({ description: 'the image' }), ...errors(404) },
      },
    },
    async (request, reply) => {
      const image = await images.read(request.params.file);
      return reply
        .type(image.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .send(image.bytes);
    },
  );
};

export default routes;
